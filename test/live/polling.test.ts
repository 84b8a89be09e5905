import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { reconConfigs, reconSituations } from '../../server/db/schema/index.ts';
import { createSqlFixture, type SqlFixture } from '../connectors/sql-fixture.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { clearIdm, idmUsers } from '../runs/recon-fixture.ts';
import { insertSystem, watermarkOf } from '../runs/recorded-connector.ts';

/** Waits (without a time limit the test fails on) until `done` holds. */
async function until(done: () => Promise<boolean>, what: string, limitMs = 60_000) {
  const start = Date.now();
  while (!(await done())) {
    if (Date.now() - start > limitMs) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describeEachDatabase('live changes by polling a PostgreSQL table', (db) => {
  let source: SqlFixture;
  let api: TestApi;
  beforeAll(async () => {
    source = await createSqlFixture('postgres');
    await source.run(`create table people (employee_id varchar(40) primary key, name varchar(100),
      email varchar(100), updated_at timestamptz(3) not null)`);
    api = await createTestApi(db(), { LIVE_SWEEP_MS: '100' });
    await clearIdm(db());
  });
  afterAll(async () => {
    await api.services.stopJobs();
    await api.services.runs.drain();
    await source?.drop();
  });

  it('a row inserted in the table becomes a live event without any manual run', async () => {
    await source.run(`insert into people values ('E1', 'Ann', 'ann@x', '2025-01-01T00:00:00Z')`);
    const system = await insertSystem(db(), {
      name: `poll-${Math.random()}`,
      type: 'sql',
      trusted: true,
      uniqueFieldKey: 'employeeId',
      connection: {
        ...source.connection,
        table: 'people',
        columnMap: { employeeId: 'employee_id' },
        watermarkColumn: 'updated_at',
      },
      liveChanges: { pollSeconds: 1 },
    });
    const [config] = await db()
      .orm.insert(reconConfigs)
      .values({
        systemId: system.id,
        objectType: 'User',
        sourceAttributeName: 'employeeId',
        idmField: 'employeeId',
        policyMap: ['name', 'email'],
      })
      .returning();
    const configId = config?.id as string;
    await db()
      .orm.insert(reconSituations)
      .values([
        { configId, situation: 'IDM_NOT_EXISTS__RESOURCE_EXISTS', response: 'ADD_TO_IDM' },
        { configId, situation: 'IDM_EXISTS__RESOURCE_EXISTS', response: 'UPDATE_IDM_FROM_RESOURCE' },
      ]);
    api.services.startJobs();
    const liveEventOf = async (key: string) => {
      const rows = await db().rows<{ n: number }>(
        sql`select count(*)::int as n from run_events e join runs r on r.id = e.run_id
            where r.config_id = ${configId} and r.trigger = 'live' and e.object_key = ${key} and e.outcome = 'applied'`,
      );
      return (rows[0]?.n ?? 0) > 0;
    };
    await until(() => liveEventOf('E1'), 'the first poll');
    await source.run(`insert into people values ('E2', 'Bob', 'bob@x', '2025-01-02T00:00:00Z')`);
    const inserted = Date.now();
    await until(() => liveEventOf('E2'), 'the inserted row');
    console.log(
      `polling (pollSeconds 1): row insert → live event ${Date.now() - inserted} ms (${db().kind})`,
    );
    await until(
      async () =>
        (
          await db().rows<{ n: number }>(
            sql`select count(*)::int as n from live_changes where done_at is null`,
          )
        )[0]?.n === 0,
      'settled',
    );
    expect((await idmUsers(db())).map((u) => [u.employee_id, u.name])).toEqual([
      ['E1', 'Ann'],
      ['E2', 'Bob'],
    ]);
    expect(await watermarkOf(db(), configId)).toBe('2025-01-02T00:00:00.000Z');
    const runs = await db().rows<{ trigger: string; mode: string }>(
      sql`select trigger, mode from runs where config_id = ${configId}`,
    );
    expect(runs.every((r) => r.trigger === 'live' && r.mode === 'live')).toBe(true);
    // The inclusive watermark reads E2 again on every poll; an unchanged account is not stored again.
    const [changes] = await db().rows<{ n: number }>(
      sql`select count(*)::int as n from live_changes where config_id = ${configId} and object_key = 'E2'`,
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const [later] = await db().rows<{ n: number }>(
      sql`select count(*)::int as n from live_changes where config_id = ${configId} and object_key = 'E2'`,
    );
    expect(later?.n).toBe(changes?.n);
  });
});
