import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { keysOfValue } from '../../server/core/normalize-key.ts';
import { createRunStore } from '../../server/store/run-store.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.ts';
import { addIdmUser, keysOf } from './recon-fixture.ts';

/**
 * A key-set refresh looks back only to the point the last one recorded (server/core/key-sets.ts):
 * the start of the oldest transaction still open then. An object written by a transaction that
 * was open during a refresh, and committed after it, is found by the next refresh.
 */
describe.runIf(inject('postgres'))('key-set refresh with a write still open [postgres]', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('postgres');
  });
  afterAll(async () => {
    await db?.close();
  });

  it('records a point before the open write, so the next refresh finds the object it wrote', async () => {
    const store = createRunStore(db);
    const kind = 'attr:employeeId';
    const ann = await addIdmUser(db, 'E1');
    const bob = await addIdmUser(db, 'E2');
    // One refresh makes every set, the way core/key-sets.ts does: a point, stale objects, mark.
    const refresh = async () => {
      const { at, now } = await store.keySetsRefreshed('User', kind);
      const { entries } = await store.staleKeySets('User', kind, at, '', 100);
      await store.saveKeySets(
        kind,
        entries.map((e) => ({
          id: e.object.id,
          version: e.version ?? 1,
          keys: keysOfValue(e.object.attributes.employeeId),
        })),
      );
      await store.markKeySetsRefreshed('User', kind, now);
      return entries.map((e) => e.object.id);
    };
    expect((await refresh()).sort()).toEqual([ann, bob].sort());

    // Another session renumbers Ann and keeps its transaction open while a refresh runs.
    const other = postgres(db.url as string, { max: 1, onnotice: () => {} });
    try {
      let commit = () => {};
      const committing = new Promise<void>((resolve) => {
        commit = resolve;
      });
      let written = () => {};
      const wrote = new Promise<void>((resolve) => {
        written = resolve;
      });
      const transaction = other.begin(async (tx) => {
        await tx`update idm_objects set attributes = attributes || '{"employeeId":"E9"}', employee_id = 'E9',
          version = version + 1, updated_at = now() where id = ${ann}`;
        written();
        await committing;
      });
      await wrote;
      // The write's stamp (its transaction's start) is now in the past: a refresh that recorded
      // the time it ran would never look at it again.
      await db.rows(sql`select pg_sleep(0.05)`);
      expect(await refresh()).toEqual([]);
      commit();
      await transaction;
    } finally {
      await other.end();
    }
    expect(await refresh()).toEqual([ann]);
    expect(await keysOf(db, kind, ['e9', 'e1'])).toEqual([['e9', ann]]);
    expect(await refresh()).toEqual([]);
  });
});
