import { Attribute, Change, Client } from 'ldapts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Response, Situation } from '../../server/core/model.ts';
import type { Database } from '../../server/db/client.ts';
import { reconConfigs, reconSituations } from '../../server/db/schema/index.ts';
import { createPolicyRunner, type PolicyService } from '../../server/sandbox/index.ts';
import { savePolicy } from '../../server/sandbox/store.ts';
import {
  createSqlFixture,
  type Dialect,
  dialectsAvailable,
  type SqlFixture,
} from '../connectors/sql-fixture.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import {
  baseLdif,
  rootDn,
  rootPassword,
  type Slapd,
  slapdAvailable,
  startSlapd,
  suffix,
} from '../helpers/slapd.ts';
import { addIdmUser, clearIdm, eventsOf, idmUsers, runToEnd } from './recon-fixture.ts';
import { insertSystem, recordingRunService, watermarkOf } from './recorded-connector.ts';

const sqlHostile = "'; drop table people; --";
const ldapHostile = '*)(uid=*';

/** The target query policies: values from data only ever travel as parameters / escaped. */
const policySources: Record<string, string> = {
  'itest/sql-by-dept-postgres.ts': sqlByDept('$1'),
  'itest/sql-by-dept-mysql.ts': sqlByDept('?'),
  'itest/ldap-by-name.ts': `import { defineTargetQuery, ldapEscape } from 'trueup:policy';
export default defineTargetQuery(({ searchFilter }) => ({
  type: 'ldap',
  filter: \`(&(objectClass=inetOrgPerson)(cn=\${ldapEscape(searchFilter ?? '')}))\`,
}));`,
  'itest/match-name.ts': `import { defineMatchingRule } from 'trueup:policy';
const key = (v: unknown) => (typeof v === 'string' ? v.trim().toLowerCase() : '');
// cn is multi-valued in the directory's schema: a list on every entry, each name a key.
const names = (v: unknown) => (Array.isArray(v) ? v : [v]);
export default defineMatchingRule({
  accountKeys: (account) => names(account.attributes.cn).map(key).filter(Boolean),
  idmKeys: (user) => [key(user.attributes.name)].filter(Boolean),
});`,
};

function sqlByDept(placeholder: string) {
  return `import { defineTargetQuery } from 'trueup:policy';
export default defineTargetQuery(({ searchFilter }) => ({
  type: 'sql',
  text: 'select employee_id, name, email from staff where dept = ${placeholder}',
  params: [searchFilter],
}));`;
}

const sync: Partial<Record<Situation, Response>> = {
  IDM_EXISTS__RESOURCE_EXISTS: 'UPDATE_IDM_FROM_RESOURCE',
  IDM_NOT_EXISTS__RESOURCE_EXISTS: 'ADD_TO_IDM',
  // An incremental run must never take an unread account for a missing one.
  IDM_EXISTS__RESOURCE_NOT_EXISTS: 'DISABLE_IN_IDM',
};

async function addConfig(
  db: Database,
  systemId: string,
  values: Partial<typeof reconConfigs.$inferInsert>,
  situations: Partial<Record<Situation, Response>>,
) {
  const [config] = await db.orm
    .insert(reconConfigs)
    .values({ systemId, objectType: 'User', sendDoNothingReport: true, ...values })
    .returning();
  const configId = config?.id as string;
  await db.orm.insert(reconSituations).values(
    Object.entries(situations).map(([situation, response]) => ({
      configId,
      situation: situation as Situation,
      response: response as Response,
    })),
  );
  return configId;
}

describeEachDatabase('incremental runs and injection attempts over SQL and LDAP systems', (db) => {
  let policies: PolicyService;
  beforeAll(async () => {
    for (const [path, source] of Object.entries(policySources)) {
      expect((await savePolicy(db(), path, source)).diagnostics).toEqual([]);
    }
    policies = createPolicyRunner(db(), { memoryMb: 128, timeoutMs: 10_000, runCpuMs: 60_000 });
  });
  afterAll(async () => {
    await policies?.close();
  });
  beforeEach(async () => {
    await clearIdm(db());
  });
  const summary = async (runId: string) =>
    (await eventsOf(db(), runId))
      .map((e) => [e.object_key, e.situation, e.response, e.outcome])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0])));

  for (const dialect of ['mysql', 'postgres'] as Dialect[]) {
    describe.runIf(dialectsAvailable[dialect])(
      `${dialect === 'mysql' ? 'MariaDB' : 'PostgreSQL'} table`,
      () => {
        let source: SqlFixture;
        const ph = (n: number) => (dialect === 'postgres' ? `$${n}` : '?');
        const ts = dialect === 'postgres' ? 'timestamptz(3)' : 'datetime(3)';
        const insert = (table: string, row: unknown[]) =>
          source.run(
            `insert into ${table} (employee_id, name, email, dept, salary, updated_at) values (${[1, 2, 3, 4, 5, 6].map(ph).join(', ')})`,
            row,
          );
        beforeAll(async () => {
          source = await createSqlFixture(dialect);
          for (const table of ['people', 'staff']) {
            await source.run(`create table ${table} (employee_id varchar(40) primary key, name varchar(100),
            email varchar(100), dept varchar(40), salary int, updated_at ${ts} not null)`);
          }
          for (const [i, name] of ['Ann', 'Bob', 'Cid'].entries()) {
            await insert('people', [
              `E${i + 1}`,
              name,
              `${name.toLowerCase()}@x`,
              'eng',
              1000,
              day(2025, i + 1),
            ]);
          }
          await insert('staff', ['S1', 'Ann', 'ann@x', 'eng', 1, day(2025, 1)]);
          await insert('staff', [sqlHostile, sqlHostile, 'mallory@x', sqlHostile, 2, day(2025, 2)]);
          await insert('staff', ['S3', "O'Brien", 'ob@x', 'ops', 3, day(2025, 3)]);
        });
        afterAll(async () => {
          await source?.drop();
        });
        const system = (table: string) =>
          insertSystem(db(), {
            name: `${dialect}-${table}-${Math.random()}`,
            type: 'sql',
            trusted: true,
            uniqueFieldKey: 'employeeId',
            connection: {
              ...source.connection,
              table,
              columnMap: { employeeId: 'employee_id' },
              watermarkColumn: 'updated_at',
            },
          });

        it('full run, a change in the table, then an incremental run that reads and acts on just the change', async () => {
          await addIdmUser(db(), 'E1', { name: 'Ann' });
          await addIdmUser(db(), 'E2', { name: 'Bob' });
          const { id } = await system('people');
          const configId = await addConfig(
            db(),
            id,
            { sourceAttributeName: 'employeeId', idmField: 'employeeId', policyMap: ['name', 'email'] },
            sync,
          );
          const { service, log } = recordingRunService(db(), policies);
          const full = await runToEnd(service, db(), { configId });
          expect(full.status).toBe('succeeded');
          expect(await summary(full.id)).toEqual([
            ['E1', 'IDM_EXISTS__RESOURCE_EXISTS', 'UPDATE_IDM_FROM_RESOURCE', 'applied'],
            ['E2', 'IDM_EXISTS__RESOURCE_EXISTS', 'UPDATE_IDM_FROM_RESOURCE', 'applied'],
            ['E3', 'IDM_NOT_EXISTS__RESOURCE_EXISTS', 'ADD_TO_IDM', 'applied'],
          ]);
          // Only the policy map (and the key) was asked for and reached the IDM: no dept, no salary.
          expect(log.searches.map((s) => s.attributes)).toEqual([['name', 'email']]);
          const cid = (await idmUsers(db())).find((u) => u.employee_id === 'E3');
          expect(Object.keys(cid?.attributes ?? {}).sort()).toEqual(['email', 'employeeId', 'name']);
          expect(await watermarkOf(db(), configId)).toBe('2025-01-03T00:00:00.000Z');

          await source.run(
            `update people set name = ${ph(1)}, updated_at = ${ph(2)} where employee_id = 'E2'`,
            ['Bob Renamed', day(2026, 1)],
          );
          await insert('people', ['E4', 'Dee', 'dee@x', 'eng', 1000, day(2026, 2)]);

          log.reset();
          const dry = await runToEnd(service, db(), { configId, mode: 'incremental', dryRun: true });
          expect(log.searches.map((s) => s.watermark)).toEqual(['2025-01-03T00:00:00.000Z']);
          expect(dry.watermarkAfter).toBe('2026-01-02T00:00:00.000Z');
          expect(await watermarkOf(db(), configId)).toBe('2025-01-03T00:00:00.000Z');

          log.reset();
          const incremental = await runToEnd(service, db(), { configId, mode: 'incremental' });
          // E3 carries the watermark's own timestamp and is read again (`>=`, docs/connectors.md);
          // it is unchanged, so nothing is done to it. E1 is neither read nor taken for deleted.
          expect(log.read.sort()).toEqual(['E2', 'E3', 'E4']);
          expect(await summary(incremental.id)).toEqual([
            ['E2', 'IDM_EXISTS__RESOURCE_EXISTS', 'UPDATE_IDM_FROM_RESOURCE', 'applied'],
            ['E3', 'IDM_EXISTS__RESOURCE_EXISTS', 'UPDATE_IDM_FROM_RESOURCE', 'unchanged'],
            ['E4', 'IDM_NOT_EXISTS__RESOURCE_EXISTS', 'ADD_TO_IDM', 'applied'],
          ]);
          expect(incremental.counts.responses).toEqual({ UPDATE_IDM_FROM_RESOURCE: 2, ADD_TO_IDM: 1 });
          expect((await idmUsers(db())).map((u) => [u.employee_id, u.name, u.status])).toEqual([
            ['E1', 'Ann', 'active'],
            ['E2', 'Bob Renamed', 'active'],
            ['E3', 'Cid', 'active'],
            ['E4', 'Dee', 'active'],
          ]);
          expect(await watermarkOf(db(), configId)).toBe('2026-01-02T00:00:00.000Z');
        });

        it(`a value like ${sqlHostile} travels as a parameter through the query, the recon key and the write`, async () => {
          const hostile = await addIdmUser(db(), sqlHostile, { name: "Robert'); drop table staff; --" });
          await addIdmUser(db(), 'S1', { name: 'Ann' });
          const { id } = await system('staff');
          const configId = await addConfig(
            db(),
            id,
            {
              sourceAttributeName: 'employeeId',
              idmField: 'employeeId',
              policyMap: ['name', 'email'],
              targetQueryPolicy: `itest/sql-by-dept-${dialect}.ts`,
              targetSearchFilter: sqlHostile,
              sendDoNothingReport: false,
            },
            { IDM_EXISTS__RESOURCE_EXISTS: 'UPDATE_RESOURCE_FROM_IDM' },
          );
          const { service, log } = recordingRunService(db(), policies);
          const run = await runToEnd(service, db(), { configId });
          expect(run.status).toBe('succeeded');
          expect(log.read).toEqual([sqlHostile]);
          expect(log.searches[0]?.query).toMatchObject({ params: [sqlHostile] });
          const events = await eventsOf(db(), run.id);
          expect(events.map((e) => [e.object_key, e.idm_object_id, e.response, e.outcome])).toEqual([
            [sqlHostile, hostile, 'UPDATE_RESOURCE_FROM_IDM', 'applied'],
          ]);
          const staff = await source.run('select employee_id, name from staff order by employee_id');
          expect(staff).toEqual([
            { employee_id: sqlHostile, name: "Robert'); drop table staff; --" },
            { employee_id: 'S1', name: 'Ann' },
            { employee_id: 'S3', name: "O'Brien" },
          ]);
          expect(await source.run('select employee_id from people order by employee_id')).not.toEqual([]);
        });
      },
    );
  }

  describe.runIf(slapdAvailable())('slapd directory', () => {
    let slapd: Slapd;
    let client: Client;
    beforeAll(async () => {
      slapd = await startSlapd(`${baseLdif}\n${seedLdif()}`);
      client = new Client({ url: slapd.url });
      await client.bind(rootDn, rootPassword);
    });
    afterAll(async () => {
      await client?.unbind();
      await slapd?.stop();
    });
    const system = (ou: string) =>
      insertSystem(db(), {
        name: `ldap-${ou}-${Math.random()}`,
        type: 'ldap',
        trusted: true,
        uniqueFieldKey: 'uid',
        connection: { url: slapd.url, bindDn: rootDn, baseDn: `ou=${ou},${suffix}` },
      });
    const service = () => recordingRunService(db(), policies, () => ({ bindPassword: rootPassword }));
    const modifyTimestamp = async (uid: string, ou = 'people') => {
      const { searchEntries } = await client.search(`uid=${uid},ou=${ou},${suffix}`, {
        scope: 'base',
        attributes: ['modifyTimestamp'],
      });
      const value = String(searchEntries[0]?.modifyTimestamp);
      return `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}T${value.slice(8, 10)}:${value.slice(10, 12)}:${value.slice(12, 14)}.000Z`;
    };

    it('full run, a change on the server, then an incremental run that reads and acts on just the change', async () => {
      await addIdmUser(db(), 'E1', { name: 'Ann' });
      await addIdmUser(db(), 'E2', { name: 'Bob' });
      const { id } = await system('people');
      const configId = await addConfig(
        db(),
        id,
        {
          sourceAttributeName: 'employeeNumber',
          idmField: 'employeeId',
          policyMap: ['cn', 'mail', 'employeeNumber'],
        },
        sync,
      );
      const { service: runs, log } = service();
      const full = await runToEnd(runs, db(), { configId });
      expect(await summary(full.id)).toEqual([
        ['ann', 'IDM_EXISTS__RESOURCE_EXISTS', 'UPDATE_IDM_FROM_RESOURCE', 'applied'],
        ['bob', 'IDM_EXISTS__RESOURCE_EXISTS', 'UPDATE_IDM_FROM_RESOURCE', 'applied'],
        ['cid', 'IDM_NOT_EXISTS__RESOURCE_EXISTS', 'ADD_TO_IDM', 'applied'],
      ]);
      expect(log.searches.map((s) => s.attributes)).toEqual([['cn', 'mail', 'employeeNumber']]);
      const cid = (await idmUsers(db())).find((u) => u.attributes.uid === 'cid');
      // title and telephoneNumber are on the entry but not in the policy map; employeeId is the
      // recon key the default population carries over from employeeNumber.
      expect(Object.keys(cid?.attributes ?? {}).sort()).toEqual([
        'cn',
        'employeeId',
        'employeeNumber',
        'mail',
        'uid',
      ]);
      expect(cid?.attributes.employeeId).toBe(cid?.attributes.employeeNumber);
      const fullMark = await watermarkOf(db(), configId);
      expect(fullMark).toMatch(/^\d{4}-\d\d-\d\dT/);

      // The seeded people carry past change times; ou=people (slapadd's own time) holds the watermark.
      await client.modify(`uid=bob,ou=people,${suffix}`, [
        new Change({
          operation: 'replace',
          modification: new Attribute({ type: 'cn', values: ['Bob Renamed'] }),
        }),
      ]);
      await client.add(`uid=dee,ou=people,${suffix}`, {
        objectClass: 'inetOrgPerson',
        uid: 'dee',
        cn: 'Dee',
        sn: 'Dee',
        employeeNumber: 'E4',
        mail: 'dee@x',
      });

      log.reset();
      const dry = await runToEnd(runs, db(), { configId, mode: 'incremental', dryRun: true });
      expect(log.searches.map((s) => s.watermark)).toEqual([fullMark]);
      expect(log.read.sort()).toEqual(['bob', 'dee']);
      expect(dry.counts.situations).toEqual({
        IDM_EXISTS__RESOURCE_EXISTS: 1,
        IDM_NOT_EXISTS__RESOURCE_EXISTS: 1,
      });
      expect(await watermarkOf(db(), configId)).toBe(fullMark);

      log.reset();
      const incremental = await runToEnd(runs, db(), { configId, mode: 'incremental' });
      expect(log.read.sort()).toEqual(['bob', 'dee']);
      expect(await summary(incremental.id)).toEqual([
        ['bob', 'IDM_EXISTS__RESOURCE_EXISTS', 'UPDATE_IDM_FROM_RESOURCE', 'applied'],
        ['dee', 'IDM_NOT_EXISTS__RESOURCE_EXISTS', 'ADD_TO_IDM', 'applied'],
      ]);
      const people = (await idmUsers(db())).map((u) => [
        u.attributes.employeeNumber,
        u.attributes.cn,
        u.status,
      ]);
      expect(people.sort()).toEqual([
        ['E1', ['Ann'], 'active'],
        ['E2', ['Bob Renamed'], 'active'],
        ['E3', ['Cid'], 'active'],
        ['E4', ['Dee'], 'active'],
      ]);
      const latest = [await modifyTimestamp('bob'), await modifyTimestamp('dee')].sort().at(-1);
      expect(await watermarkOf(db(), configId)).toBe(latest);
    });

    it(`an employee named ${ldapHostile} is escaped in the filter and matches only the IDM user of that name`, async () => {
      const mallory = await addIdmUser(db(), 'I1', { name: ldapHostile });
      const alice = await addIdmUser(db(), 'I2', { name: 'Alice', mail: 'alice@idm' });
      const star = await addIdmUser(db(), 'I3', { name: '*', mail: 'star@idm' });
      const { id } = await system('staff');
      const configId = await addConfig(
        db(),
        id,
        {
          policyMap: ['cn', 'mail'],
          targetQueryPolicy: 'itest/ldap-by-name.ts',
          targetSearchFilter: ldapHostile,
          matchingPolicy: 'itest/match-name.ts',
          sendDoNothingReport: false,
        },
        { IDM_EXISTS__RESOURCE_EXISTS: 'UPDATE_IDM_FROM_RESOURCE' },
      );
      const { service: runs, log } = service();
      const run = await runToEnd(runs, db(), { configId });
      expect(run.status).toBe('succeeded');
      expect(log.searches[0]?.query).toEqual({
        type: 'ldap',
        filter: '(&(objectClass=inetOrgPerson)(cn=\\2a\\29\\28uid=\\2a))',
      });
      expect(log.read).toEqual(['mallory']);
      const events = await eventsOf(db(), run.id);
      expect(events.map((e) => [e.object_key, e.idm_object_id, e.situation, e.outcome])).toEqual([
        ['mallory', mallory, 'IDM_EXISTS__RESOURCE_EXISTS', 'applied'],
      ]);
      const users = new Map((await idmUsers(db())).map((u) => [u.id, u.attributes]));
      // mail is multi-valued in the directory's schema: it reaches the IDM as a list.
      expect(users.get(mallory)?.mail).toEqual(['mallory@x']);
      expect(users.get(alice)?.mail).toBe('alice@idm');
      expect(users.get(star)?.mail).toBe('star@idm');
      const { searchEntries } = await client.search(`ou=staff,${suffix}`, {
        filter: '(objectClass=inetOrgPerson)',
        attributes: ['uid'],
      });
      expect(searchEntries.map((e) => e.uid).sort()).toEqual(['alice', 'bob', 'mallory']);
    });
  });
});

function day(year: number, n: number) {
  return new Date(Date.UTC(year, 0, n));
}

/** ou=people (the incremental scenario) and ou=staff (the injection one), with past change times. */
function seedLdif(): string {
  const entry = (ou: string, uid: string, cn: string, number: string, i: number) =>
    [
      `dn: uid=${uid},ou=${ou},${suffix}`,
      'objectClass: inetOrgPerson',
      `uid: ${uid}`,
      `cn:: ${Buffer.from(cn).toString('base64')}`,
      `sn: ${uid}`,
      `employeeNumber: ${number}`,
      `mail: ${uid}@x`,
      'title: Engineer',
      'telephoneNumber: +1 555 0100',
      `modifyTimestamp: 2025010100000${i}Z`,
      `createTimestamp: 2025010100000${i}Z`,
    ].join('\n');
  return [
    `dn: ou=staff,${suffix}\nobjectClass: organizationalUnit\nou: staff`,
    entry('people', 'ann', 'Ann', 'E1', 1),
    entry('people', 'bob', 'Bob', 'E2', 2),
    entry('people', 'cid', 'Cid', 'E3', 3),
    entry('staff', 'mallory', ldapHostile, 'S1', 4),
    entry('staff', 'alice', 'Alice', 'S2', 5),
    entry('staff', 'bob', 'Bob', 'S3', 6),
  ].join('\n\n');
}
