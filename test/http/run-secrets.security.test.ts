import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReconConfigResponse } from '../../server/http/routes/recon-configs/config-response.ts';
import type { GetRunResponse } from '../../server/http/routes/runs/get-run.ts';
import type { StartRunResponse } from '../../server/http/routes/runs/start-run.ts';
import type { SystemResponse } from '../../server/http/routes/systems/system-schema.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { createMariadbDatabase, mariadbAvailable, mariadbOptions, withMariadb } from '../helpers/mariadb.ts';
import { baseLdif, type Slapd, slapdAvailable, startSlapd, suffix } from '../helpers/slapd.ts';

// Distinct, greppable secrets; each is really checked by its server (no trust auth, no root bind).
const sqlSecret = `sql-${randomBytes(9).toString('hex')}`;
const ldapSecret = `ldap-${randomBytes(9).toString('hex')}`;
const readerDn = `cn=reader,${suffix}`;
const available = (await mariadbAvailable()) && slapdAvailable();

const leaks = (text: string) => [sqlSecret, ldapSecret].filter((secret) => text.includes(secret));

describe.runIf(available)('connection secrets through real runs', () => {
  let maria: Awaited<ReturnType<typeof createMariadbDatabase>>;
  let slapd: Slapd;
  const sqlUser = `trueup_${randomBytes(4).toString('hex')}`;
  beforeAll(async () => {
    maria = await createMariadbDatabase();
    await withMariadb(maria.database, async (db) => {
      await db.query(`create table people (employee_id varchar(20) primary key, name varchar(100),
        email varchar(100), updated_at datetime(3) not null)`);
      await db.query(
        `insert into people values ('E1', 'Ann', 'ann@x', '2025-01-01'), ('E2', 'Bob', 'bob@x', '2025-01-02')`,
      );
      for (const host of ['%', 'localhost']) {
        await db.query(`create user '${sqlUser}'@'${host}' identified by '${sqlSecret}'`);
        await db.query(
          `grant select, insert, update, delete on ${maria.database}.* to '${sqlUser}'@'${host}'`,
        );
      }
    });
    const people = ['ann', 'bob'].map(
      (uid, i) =>
        `dn: uid=${uid},ou=people,${suffix}\nobjectClass: inetOrgPerson\nuid: ${uid}\ncn: ${uid}\nsn: ${uid}\nemployeeNumber: L${i + 1}\nmail: ${uid}@x`,
    );
    // A non-root bind account: slapd checks its userPassword, so the stored secret must reach it.
    const reader = `dn: ${readerDn}\nobjectClass: person\ncn: reader\nsn: reader\nuserPassword: ${ldapSecret}`;
    slapd = await startSlapd(`${baseLdif}\n${[reader, ...people].join('\n\n')}\n`);
  });
  afterAll(async () => {
    await slapd?.stop();
    await withMariadb(maria.database, async (db) => {
      for (const host of ['%', 'localhost']) await db.query(`drop user if exists '${sqlUser}'@'${host}'`);
    });
    await maria?.drop();
  });

  describeEachDatabase('SQL and LDAP systems created through the API', (db) => {
    let api: TestApi;
    const logs: string[] = [];
    /** Every API answer of the test, as text. */
    const answers: string[] = [];
    const call = async (method: string, path: string, body?: unknown) => {
      const response = await api.request(method, path, body === undefined ? {} : { body });
      const text = await response.text();
      answers.push(text);
      return { status: response.status, text, json: () => JSON.parse(text) };
    };
    beforeAll(async () => {
      // A plain logger at the lowest level and without redaction: nothing may rely on the censor.
      const sink = new Writable({
        write(chunk, _encoding, done) {
          logs.push(String(chunk));
          done();
        },
      });
      api = await createTestApi(db(), {}, pino({ level: 'trace' }, sink));
    });
    afterAll(async () => {
      await api?.services.policyRunner.close();
    });

    const systems = {
      sql: () => ({
        name: 'HR (MariaDB)',
        type: 'sql',
        trusted: true,
        uniqueFieldKey: 'employeeId',
        connection: {
          dialect: 'mysql',
          host: mariadbOptions.host,
          port: mariadbOptions.port,
          database: maria.database,
          user: sqlUser,
          password: sqlSecret,
          table: 'people',
          columnMap: { employeeId: 'employee_id' },
          watermarkColumn: 'updated_at',
        },
        recon: { sourceAttributeName: 'employeeId', idmField: 'employeeId', policyMap: ['name', 'email'] },
      }),
      ldap: () => ({
        name: 'Directory',
        type: 'ldap',
        trusted: true,
        uniqueFieldKey: 'uid',
        connection: {
          url: slapd.url,
          bindDn: readerDn,
          bindPassword: ldapSecret,
          baseDn: `ou=people,${suffix}`,
        },
        recon: { sourceAttributeName: 'employeeNumber', idmField: 'employeeId', policyMap: ['cn', 'mail'] },
      }),
    };

    for (const kind of ['sql', 'ldap'] as const) {
      it(`a ${kind} system made with a password runs, and the password is in no answer, row or log`, async () => {
        const { recon, ...body } = systems[kind]();
        const created = await call('POST', '/api/systems', body);
        expect(created.status).toBe(201);
        const system = created.json() as SystemResponse;
        expect(Object.values(system.connection)).toContain('********');

        const tested = await call('POST', `/api/systems/${system.id}/test`);
        expect(tested.json()).toMatchObject({ ok: true });

        const config = (
          await call('POST', `/api/systems/${system.id}/recon-configs`, {
            objectType: 'User',
            ...recon,
            situations: { IDM_NOT_EXISTS__RESOURCE_EXISTS: { response: 'ADD_TO_IDM' } },
          })
        ).json() as ReconConfigResponse;
        const run = async () => {
          const started = await call('POST', `/api/recon-configs/${config.id}/runs`, {});
          expect(started.status).toBe(202);
          const { runId } = started.json() as StartRunResponse;
          await api.services.runs.wait(runId);
          const answer = (await call('GET', `/api/runs/${runId}`)).json() as GetRunResponse;
          await call('GET', `/api/runs/${runId}/events`);
          await call('GET', `/api/runs/${runId}/events.csv`);
          return answer;
        };
        const ok = await run();
        expect([ok.status, ok.counts.responses.ADD_TO_IDM]).toEqual(['succeeded', 2]);

        // A failing run is where a careless error message would carry the connection string.
        if (kind === 'sql') {
          await withMariadb(maria.database, (m) => m.query('rename table people to people_gone'));
        } else {
          await call('PATCH', `/api/systems/${system.id}`, {
            connection: { ...system.connection, baseDn: `ou=nowhere,${suffix}` },
          });
        }
        const failed = await run();
        expect(failed.status).toBe('failed');
        if (kind === 'sql') {
          await withMariadb(maria.database, (m) => m.query('rename table people_gone to people'));
        }

        for (const path of ['/api/systems', `/api/systems/${system.id}`, '/api/runs', '/api/idm/users'])
          await call('GET', path);
        expect(answers.length).toBeGreaterThan(10);
        expect(leaks(answers.join('\n'))).toEqual([]);
        expect(logs.join('').length).toBeGreaterThan(0);
        expect(leaks(logs.join(''))).toEqual([]);
        expect(leaks(await everyRow())).toEqual([]);
      });
    }

    /** Every row of every table of the database (runs, run_events, systems, IDM, …), serialized. */
    async function everyRow(): Promise<string> {
      const tables = await db().rows<{ table_name: string }>(
        sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`,
      );
      expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['runs', 'run_events']));
      const dumps: string[] = [];
      for (const { table_name } of tables) {
        dumps.push(JSON.stringify(await db().rows(sql.raw(`select * from "${table_name}"`))));
      }
      return dumps.join('\n');
    }
  });
});
