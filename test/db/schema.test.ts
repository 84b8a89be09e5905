import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { migrateDatabase } from '../../server/db/migrate.ts';
import {
  apiTokens,
  idmMemberships,
  idmObjects,
  links,
  managedSystems,
  reconConfigs,
  reconSituations,
  runEvents,
  runs,
  watermarks,
} from '../../server/db/schema/index.ts';
import { describeEachDatabase } from '../helpers/databases.ts';

async function insertSystem(
  db: ReturnType<Parameters<Parameters<typeof describeEachDatabase>[1]>[0]>,
  name: string,
) {
  const [system] = await db.orm
    .insert(managedSystems)
    .values({ name, type: 'csv', uniqueFieldKey: 'employeeNumber', connection: { path: '/tmp/x.csv' } })
    .returning();
  return system!;
}

describeEachDatabase('domain schema', (db) => {
  it('migrating again applies nothing', async () => {
    expect(await migrateDatabase(db())).toEqual({ applied: 0 });
  });

  it('has the indexes the hot paths need', async () => {
    const rows = await db().rows<{ indexname: string }>(
      sql`select indexname from pg_indexes where schemaname = 'public'`,
    );
    const names = rows.map((r) => r.indexname);
    for (const wanted of [
      'links_system_key',
      'idm_objects_type_employee_id',
      'idm_objects_type_email',
      'idm_objects_attributes',
      'run_events_run_seq',
      'runs_one_active_per_config',
    ]) {
      expect(names).toContain(wanted);
    }
  });

  it('stores IDM objects of every type with JSONB attributes and finds them by a custom attribute', async () => {
    const inserted = await db()
      .orm.insert(idmObjects)
      .values([
        {
          type: 'User',
          name: 'Ada Lovelace',
          employeeId: 'E1',
          attributes: { costCenter: 'R&D', tags: ['a'] },
        },
        { type: 'Group', name: 'engineers' },
        { type: 'Role', name: 'approver' },
        { type: 'Organization', name: 'Research' },
      ])
      .returning();
    expect(inserted.map((o) => o.status)).toEqual(['active', 'active', 'active', 'active']);
    const found = await db()
      .orm.select()
      .from(idmObjects)
      .where(sql`${idmObjects.attributes} @> ${JSON.stringify({ costCenter: 'R&D' })}::jsonb`);
    expect(found.map((o) => o.name)).toEqual(['Ada Lovelace']);
    await db().orm.insert(idmMemberships).values({ memberId: inserted[0]!.id, targetId: inserted[1]!.id });
    await expect(
      db().orm.insert(idmMemberships).values({ memberId: inserted[0]!.id, targetId: inserted[1]!.id }),
    ).rejects.toThrow();
  });

  it('keeps one link per (system, object type, account key)', async () => {
    const system = await insertSystem(db(), 'links-system');
    const link = { systemId: system.id, objectType: 'User' as const, accountKey: 'E1', idmObjectId: 'u1' };
    await db().orm.insert(links).values(link);
    await expect(
      db()
        .orm.insert(links)
        .values({ ...link, idmObjectId: 'u2' }),
    ).rejects.toThrow();
    await db()
      .orm.insert(links)
      .values({ ...link, objectType: 'Group' });
  });

  it('allows one queued or running run per config, any number of finished ones', async () => {
    const system = await insertSystem(db(), 'runs-system');
    const [config] = await db()
      .orm.insert(reconConfigs)
      .values({ systemId: system.id, objectType: 'User' })
      .returning();
    await db().orm.insert(runs).values({ configId: config!.id, status: 'running' });
    await expect(db().orm.insert(runs).values({ configId: config!.id, status: 'queued' })).rejects.toThrow();
    await db()
      .orm.insert(runs)
      .values([
        { configId: config!.id, status: 'succeeded' },
        { configId: config!.id, status: 'failed' },
      ]);
  });

  it('removes a config with its situations, watermark and keeps its runs', async () => {
    const system = await insertSystem(db(), 'cascade-system');
    const [config] = await db()
      .orm.insert(reconConfigs)
      .values({ systemId: system.id, objectType: 'User' })
      .returning();
    const configId = config!.id;
    await db()
      .orm.insert(reconSituations)
      .values({ configId, situation: 'IDM_NOT_EXISTS__RESOURCE_EXISTS', response: 'ADD_TO_IDM' });
    const [run] = await db().orm.insert(runs).values({ configId, status: 'succeeded' }).returning();
    await db()
      .orm.insert(runEvents)
      .values({ runId: run!.id, seq: 1, outcome: 'applied', diff: { mail: { before: 'a', after: 'b' } } });
    await db().orm.insert(watermarks).values({ configId, value: '2026-01-01T00:00:00Z', runId: run!.id });
    await db().orm.delete(reconConfigs).where(eq(reconConfigs.id, configId));
    expect(
      await db().orm.select().from(reconSituations).where(eq(reconSituations.configId, configId)),
    ).toEqual([]);
    expect(await db().orm.select().from(watermarks).where(eq(watermarks.configId, configId))).toEqual([]);
    const [kept] = await db().orm.select().from(runs).where(eq(runs.id, run!.id));
    expect(kept?.configId).toBeNull();
    const events = await db().orm.select().from(runEvents).where(eq(runEvents.runId, run!.id));
    expect(events[0]?.diff).toEqual({ mail: { before: 'a', after: 'b' } });
  });

  it('keeps enum columns within their values, even for raw SQL', async () => {
    await db().orm.insert(apiTokens).values({ name: 'ci', role: 'viewer', tokenHash: 'h1', prefix: 'tu_1' });
    await expect(
      db().rows(sql`insert into api_tokens (name, role, token_hash, prefix) values ('x', 'root', 'h2', 'p')`),
    ).rejects.toThrow();
    await expect(
      db().rows(sql`insert into idm_objects (type, name) values ('Printer', 'p')`),
    ).rejects.toThrow();
  });
});

describe('schema module', () => {
  it('exports every table the domain needs', async () => {
    const schema = await import('../../server/db/schema/index.ts');
    for (const table of [
      'idmObjects',
      'idmMemberships',
      'entitlements',
      'managedSystems',
      'reconConfigs',
      'reconSituations',
      'policies',
      'policyBuilds',
      'links',
      'runs',
      'runEvents',
      'watermarks',
      'apiTokens',
    ]) {
      expect(schema).toHaveProperty(table);
    }
  });
});
