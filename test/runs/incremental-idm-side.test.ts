import { writeFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { beforeEach, expect, it } from 'vitest';
import { loadLinkedIdmSide } from '../../server/core/idm-side.ts';
import { createRunStore } from '../../server/runs/run-store.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import {
  addIdmUser,
  clearIdm,
  createCsvSystem,
  eventsOf,
  idmUsers,
  runServiceFor,
  runToEnd,
} from './recon-fixture.ts';

const header = 'employeeId,name,email,updatedAt\n';
const account = (key: string) => ({ key, attributes: {} });

/**
 * An incremental run whose changed accounts are all linked loads only their IDM objects; one with
 * an unlinked account correlates it by key against the whole scope. Both must decide as a full
 * run would.
 */
describeEachDatabase('the IDM side of incremental runs', (db) => {
  beforeEach(async () => {
    await clearIdm(db());
  });

  it('loads just the linked objects of the changed accounts, or nothing when one is unlinked', async () => {
    const [ann, bob] = [await addIdmUser(db(), 'E1'), await addIdmUser(db(), 'E2', {}, 'deleted')];
    await addIdmUser(db(), 'E3');
    const hr = await createCsvSystem(db(), header);
    await db().rows(sql`insert into links (system_id, object_type, account_key, idm_object_id, status)
      values (${hr.systemId}, 'User', 'E1', ${ann}, 'active'), (${hr.systemId}, 'User', 'e2', ${bob}, 'stale')`);
    const store = createRunStore(db());
    const rows = await store.loadLinkRows({ systemId: hr.systemId, objectType: 'User' });

    const side = await loadLinkedIdmSide(store, rows, [
      { accounts: [account(' E2 '), account('E1')], problems: [] },
      { accounts: [account('E1')], problems: [] },
    ]);
    expect(side?.entries).toEqual([]);
    expect(
      side?.links.map((l) => [l.accountKey, l.status, l.idm?.object.id, l.idm?.object.status]).sort(),
    ).toEqual([
      ['E1', 'active', ann, 'active'],
      ['e2', 'stale', bob, 'deleted'],
    ]);

    const unlinked = [{ accounts: [account('E1'), account('E3')], problems: [] }];
    expect(await loadLinkedIdmSide(store, rows, unlinked)).toBeNull();
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
});
