import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { managedSystems } from '../../server/db/schema/index.ts';
import type { SystemResponse } from '../../server/http/routes/systems/system-schema.ts';
import type { TestSystemResponse } from '../../server/http/routes/systems/test-system.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
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

const sqlPassword = 'S3cret-sql-Passw0rd';

describeEachDatabase('connection secrets', (db) => {
  let api: TestApi;
  let sql: SystemResponse;
  beforeAll(async () => {
    api = await createTestApi(db());
    const response = await api.request('POST', '/api/systems', {
      body: {
        name: 'HR database',
        type: 'sql',
        uniqueFieldKey: 'employee_id',
        // Port 1 on loopback refuses connections: the test fails fast and must not echo the password.
        connection: {
          dialect: 'postgres',
          host: '127.0.0.1',
          port: 1,
          database: 'hr',
          user: 'trueup',
          password: sqlPassword,
          table: 'people',
          connectTimeoutMs: 1000,
        },
      },
    });
    expect(response.status).toBe(201);
    sql = (await response.json()) as SystemResponse;
  });

  const storedRow = async () => {
    const [row] = await db().orm.select().from(managedSystems).where(eq(managedSystems.id, sql.id));
    return row!;
  };

  it('returns secrets as "********" everywhere, and stores them only encrypted', async () => {
    expect(sql.connection.password).toBe('********');
    const read = (await (
      await api.request('GET', `/api/systems/${sql.id}`, { role: 'viewer' })
    ).json()) as SystemResponse;
    expect(read.connection.password).toBe('********');
    const list = await (await api.request('GET', '/api/systems')).text();
    expect(list).not.toContain(sqlPassword);
    const row = await storedRow();
    expect(row.connection).not.toHaveProperty('password');
    expect(JSON.stringify(row)).not.toContain(sqlPassword);
    expect(api.services.secrets.open(row.encryptedSecrets!)).toEqual({ password: sqlPassword });
  });

  it('keeps the stored secret when a PATCH sends the mask back, and replaces it when given a new one', async () => {
    const roundTrip = await api.request('PATCH', `/api/systems/${sql.id}`, {
      body: { connection: { ...sql.connection, database: 'hr2' } },
    });
    expect(roundTrip.status).toBe(200);
    expect(((await roundTrip.json()) as SystemResponse).connection).toMatchObject({
      database: 'hr2',
      password: '********',
    });
    expect(api.services.secrets.open((await storedRow()).encryptedSecrets!)).toEqual({
      password: sqlPassword,
    });

    await api.request('PATCH', `/api/systems/${sql.id}`, {
      body: { connection: { password: 'n3w-Passw0rd' } },
    });
    expect(api.services.secrets.open((await storedRow()).encryptedSecrets!)).toEqual({
      password: 'n3w-Passw0rd',
    });
    await api.request('PATCH', `/api/systems/${sql.id}`, { body: { connection: { password: sqlPassword } } });
  });

  it('refuses the mask as a new secret', async () => {
    const response = await api.request('POST', '/api/systems', {
      body: {
        name: 'masked',
        type: 'ldap',
        uniqueFieldKey: 'dn',
        connection: { url: 'ldap://127.0.0.1:1', baseDn: suffix, bindPassword: '********' },
      },
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/connection\.bindPassword/);
  });

  it('answers a failed connection test with ok: false, never with the password', async () => {
    const response = await api.request('POST', `/api/systems/${sql.id}/test`);
    expect(response.status).toBe(200);
    const body = await response.text();
    expect((JSON.parse(body) as TestSystemResponse).ok).toBe(false);
    expect(body).not.toContain(sqlPassword);
  });
});

describe.runIf(slapdAvailable())('connection test against a real slapd', () => {
  let slapd: Slapd;
  let api: TestApi;
  let close: () => Promise<void>;
  beforeAll(async () => {
    slapd = await startSlapd(baseLdif);
    const { createTestDatabase } = await import('../helpers/databases.ts');
    const db = await createTestDatabase('pglite');
    close = () => db.close();
    api = await createTestApi(db);
  });
  afterAll(async () => {
    await slapd?.stop();
    await close?.();
  });

  const testWith = async (name: string, bindPassword: string) => {
    const created = await api.request('POST', '/api/systems', {
      body: {
        name,
        type: 'ldap',
        uniqueFieldKey: 'dn',
        connection: { url: slapd.url, bindDn: rootDn, bindPassword, baseDn: suffix },
      },
    });
    const { id } = (await created.json()) as SystemResponse;
    const response = await api.request('POST', `/api/systems/${id}/test`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).not.toContain(bindPassword);
    return JSON.parse(text) as TestSystemResponse;
  };

  it('is ok with the right credentials', async () => {
    expect((await testWith('directory', rootPassword)).ok).toBe(true);
  });

  it('is not ok with a wrong password, and says so without echoing it', async () => {
    const result = await testWith('wrong password', 'Wr0ng-Passw0rd-xyz');
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/credential|password|bind/i);
  });
});
