import { writeFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { beforeEach, expect, it } from 'vitest';
import { keysOfValue, normalizeKey } from '../../server/core/normalize-key.ts';
import { createRunStore } from '../../server/store/run-store.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import {
  addIdmUser,
  clearIdm,
  createCsvSystem,
  eventsOf,
  idmUsers,
  keysOf,
  runServiceFor,
  runToEnd,
} from './recon-fixture.ts';

const header = 'employeeId,name,email,updatedAt\n';

/**
 * A run reads the IDM side by key, a page of accounts at a time (server/store/correlation-store.ts):
 * links by normalised account key, in-scope objects by their stored correlation keys. Incremental
 * runs then decide as a full run would, whether the changed accounts are linked or not.
 */
describeEachDatabase('the IDM side of incremental runs', (db) => {
  beforeEach(async () => {
    await clearIdm(db());
  });

  it('looks links up by normalised key, and objects by key sets made only for what changed', async () => {
    const [ann, bob] = [await addIdmUser(db(), 'E1'), await addIdmUser(db(), 'E2', {}, 'deleted')];
    const cay = await addIdmUser(db(), 'E3');
    const hr = await createCsvSystem(db(), header);
    const target = { systemId: hr.systemId, objectType: 'User' as const };
    await db().rows(sql`insert into links (system_id, object_type, account_key, idm_object_id, status)
      values (${hr.systemId}, 'User', 'E1', ${ann}, 'active'), (${hr.systemId}, 'User', 'e2', ${bob}, 'stale')`);
    const store = createRunStore(db());
    await store.normalizeLinkKeys(target, normalizeKey);
    const links = await store.linksByKeys(target, [' E2 ', 'E1', 'E3'].map(normalizeKey));
    expect(links.map((l) => [l.accountKey, l.status, l.idmObjectId]).sort()).toEqual([
      ['E1', 'active', ann],
      ['e2', 'stale', bob],
    ]);
    expect((await store.linksOfIdmObjects(target, [bob])).map((l) => l.accountKey)).toEqual(['e2']);

    const kind = 'attr:employeeId';
    const { entries: stale, next } = await store.staleKeySets('User', kind, null, '', 100);
    expect(next).toBeNull();
    expect(stale.map((e) => e.object.id).sort()).toEqual([ann, cay].sort());
    // Slices walk the ids, one object each here: the deleted one's slice comes back empty.
    const walked: string[] = [];
    let slices = 0;
    for (let after: string | null = ''; after !== null; slices++) {
      const slice = await store.staleKeySets('User', kind, null, after, 1);
      walked.push(...slice.entries.map((e) => e.object.id));
      after = slice.next;
    }
    expect(walked.sort()).toEqual([ann, cay].sort());
    expect(slices).toBe(4);
    await store.saveKeySets(
      kind,
      stale.map((e) => ({
        id: e.object.id,
        version: e.version ?? 1,
        keys: keysOfValue(e.object.attributes.employeeId),
      })),
    );
    expect(await store.staleKeySets('User', kind, null, '', 100)).toEqual({ entries: [], next: null });
    const found = await keysOf(db(), kind, ['e1', 'e2', 'e3']);
    expect(found.sort()).toEqual(
      [
        ['e1', ann],
        ['e3', cay],
      ].sort(),
    );
    // A written object (a new version) needs its keys again; the others do not. After a refresh
    // only objects written since are looked at (by updated_at), and checked by version.
    const { now } = await store.keySetsRefreshed('User', kind);
    await store.markKeySetsRefreshed('User', kind, now);
    expect((await store.keySetsRefreshed('User', kind)).at).toBe(now);
    await db().rows(sql`update idm_objects set version = version + 1 where id = ${cay}`);
    await db().rows(
      sql`update idm_objects set version = version + 1, updated_at = now() + interval '1 second' where id = ${ann}`,
    );
    const staleNow = async (since: string | null) =>
      (await store.staleKeySets('User', kind, since, '', 100)).entries.map((e) => e.object.id).sort();
    expect(await staleNow(null)).toEqual([ann, cay].sort());
    expect(await staleNow(now)).toEqual([ann]);
  });

  it('decides linked changes through their links, and correlates a new account by key', async () => {
    await addIdmUser(db(), 'E1', { name: 'Ann One', email: 'ann@x' });
    await addIdmUser(db(), 'E2', { name: 'Bob Two', email: 'bob@x' });
    await addIdmUser(db(), 'E4', { name: 'Dan Four', email: 'dan@x' });
    const hr = await createCsvSystem(
      db(),
      `${header}E1,Ann One,ann@x,2025-12-01\nE2,Bob Two,bob@x,2026-01-01\n`,
      {
        connection: { watermarkColumn: 'updatedAt' },
        situations: {
          IDM_EXISTS__RESOURCE_EXISTS: 'UPDATE_IDM_FROM_RESOURCE',
          IDM_NOT_EXISTS__RESOURCE_EXISTS: 'ADD_TO_IDM',
        },
      },
    );
    const service = runServiceFor(db());
    const full = await runToEnd(service, db(), { configId: hr.configId });
    expect(full.status).toBe('succeeded');

    // Bob is renamed: linked, so only his IDM object is needed.
    writeFileSync(hr.file, `${header}E1,Ann One,ann@x,2025-12-01\nE2,Bob Renamed,bob@x,2026-02-01\n`);
    const linked = await runToEnd(service, db(), { configId: hr.configId, mode: 'incremental' });
    expect(linked.status).toBe('succeeded');
    expect(linked.counts.situations).toEqual({ IDM_EXISTS__RESOURCE_EXISTS: 1 });
    expect((await eventsOf(db(), linked.id)).map((e) => [e.object_key, e.diff?.name])).toEqual([
      ['E2', { before: 'Bob Two', after: 'Bob Renamed' }],
    ]);

    // Dan appears on the source (unlinked, matched by key) with a new hire: the whole scope. Bob
    // is read again (his change marker equals the watermark), linked and unchanged.
    writeFileSync(
      hr.file,
      `${header}E1,Ann One,ann@x,2025-12-01\nE2,Bob Renamed,bob@x,2026-02-01\nE4,Dan Four,dan@x,2026-03-01\nE9,Neu Nine,neu@x,2026-03-01\n`,
    );
    const mixed = await runToEnd(service, db(), { configId: hr.configId, mode: 'incremental' });
    expect(mixed.status).toBe('succeeded');
    expect(mixed.counts.situations).toEqual({
      IDM_EXISTS__RESOURCE_EXISTS: 2,
      IDM_NOT_EXISTS__RESOURCE_EXISTS: 1,
    });
    const users = await idmUsers(db());
    expect(users.map((u) => [u.employee_id, u.name])).toEqual([
      ['E1', 'Ann One'],
      ['E2', 'Bob Renamed'],
      ['E4', 'Dan Four'],
      ['E9', 'Neu Nine'],
    ]);
    const [links] = await db().rows<{ n: number }>(
      sql`select count(*)::int as n from links where system_id = ${hr.systemId}`,
    );
    expect(Number(links?.n)).toBe(4);
  });

  it('includes the IDM objects written since the last run: a new user without an account, a changed and a deleted one', async () => {
    await addIdmUser(db(), 'E1', { name: 'Ann One', email: 'ann@x' });
    await addIdmUser(db(), 'E2', { name: 'Bob Two', email: 'bob@x' });
    const csv = `${header}E1,Ann One,ann@x,2025-12-01\nE2,Bob Two,bob@x,2025-12-01\n`;
    const hr = await createCsvSystem(db(), csv, {
      connection: { watermarkColumn: 'updatedAt' },
      situations: {
        IDM_EXISTS__RESOURCE_EXISTS: 'UPDATE_IDM_FROM_RESOURCE',
        IDM_NOT_EXISTS__RESOURCE_EXISTS: 'ADD_TO_IDM',
        IDM_EXISTS__RESOURCE_NOT_EXISTS: 'DO_NOTHING',
        IDM_DELETED__RESOURCE_EXISTS: 'DO_NOTHING',
      },
    });
    const service = runServiceFor(db());
    expect((await runToEnd(service, db(), { configId: hr.configId })).status).toBe('succeeded');

    // Nothing changes on the source. In the IDM: Cay is hired (no account yet), Ann's name is
    // edited (her account is unchanged), Bob is deleted (his account is still there).
    await new Promise((r) => setTimeout(r, 20));
    await addIdmUser(db(), 'E3', { name: 'Cay Three', email: 'cay@x' });
    await db().rows(sql`update idm_objects set name = 'Ann Edited', attributes = attributes || '{"name":"Ann Edited"}',
      version = version + 1, updated_at = now() where employee_id = 'E1'`);
    await db().rows(sql`update idm_objects set status = 'deleted', version = version + 1, updated_at = now()
      where employee_id = 'E2'`);
    const incremental = await runToEnd(service, db(), { configId: hr.configId, mode: 'incremental' });
    expect(incremental.status).toBe('succeeded');
    expect(incremental.counts.situations).toEqual({
      IDM_EXISTS__RESOURCE_EXISTS: 1,
      IDM_EXISTS__RESOURCE_NOT_EXISTS: 1,
      IDM_DELETED__RESOURCE_EXISTS: 1,
    });
    const events = (await eventsOf(db(), incremental.id)).map((e) => [e.object_key, e.situation]);
    expect(events).toContainEqual(['E1', 'IDM_EXISTS__RESOURCE_EXISTS']);
    // Ann's account says "Ann One": the source wins the name back.
    expect((await idmUsers(db())).find((u) => u.employee_id === 'E1')?.name).toBe('Ann One');

    // A second incremental run does not conclude about Cay again: she was not written since.
    const quiet = await runToEnd(service, db(), { configId: hr.configId, mode: 'incremental' });
    expect(quiet.status).toBe('succeeded');
    expect(quiet.counts.situations.IDM_EXISTS__RESOURCE_NOT_EXISTS).toBeUndefined();
  });

  it('over a CSV without a change column: a synthetic delta of changed, new and removed rows', async () => {
    for (const id of ['E1', 'E2', 'E3']) await addIdmUser(db(), id, { name: `User ${id}`, email: `${id}@x` });
    const row = (id: string, name = `User ${id}`) => `${id},${name},${id}@x,\n`;
    const hr = await createCsvSystem(db(), `${header}${row('E1')}${row('E2')}${row('E3')}`, {
      situations: {
        IDM_EXISTS__RESOURCE_EXISTS: 'UPDATE_IDM_FROM_RESOURCE',
        IDM_NOT_EXISTS__RESOURCE_EXISTS: 'ADD_TO_IDM',
        IDM_EXISTS__RESOURCE_NOT_EXISTS: 'DISABLE_IN_IDM',
      },
    });
    const service = runServiceFor(db());
    // The first run links; the second finds all in sync and remembers it.
    for (let i = 0; i < 2; i++) {
      expect((await runToEnd(service, db(), { configId: hr.configId })).status).toBe('succeeded');
    }
    writeFileSync(hr.file, `${header}${row('E1', 'Ann Renamed')}${row('E2')}${row('E4')}`);
    const delta = await runToEnd(service, db(), { configId: hr.configId, mode: 'incremental' });
    expect(delta.status).toBe('succeeded');
    // E2 is unchanged: not even correlated. E3's row is gone: found without a full run.
    expect(delta.counts.situations).toEqual({
      IDM_EXISTS__RESOURCE_EXISTS: 1,
      IDM_NOT_EXISTS__RESOURCE_EXISTS: 1,
      IDM_EXISTS__RESOURCE_NOT_EXISTS: 1,
    });
    const users = await idmUsers(db());
    expect(users.map((u) => [u.employee_id, u.name, u.status])).toEqual([
      ['E1', 'Ann Renamed', 'active'],
      ['E2', 'User E2', 'active'],
      ['E3', 'User E3', 'disabled'],
      ['E4', 'User E4', 'active'],
    ]);
    // E1 and E4 were written: the next run decides them once more (now in sync, remembered).
    const settle = await runToEnd(service, db(), { configId: hr.configId, mode: 'incremental' });
    expect(settle.counts.situations).toEqual({ IDM_EXISTS__RESOURCE_EXISTS: 2 });
    // Nothing changed since: the next incremental run reads the file and decides nothing.
    const quiet = await runToEnd(service, db(), { configId: hr.configId, mode: 'incremental' });
    expect(quiet.counts.situations).toEqual({});
  });
});
