import { sql } from 'drizzle-orm';
import { beforeEach, expect, it } from 'vitest';
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

const hrCsv = 'employeeId,name,email\nE1,Ann One,ann@x\nE2,Bob Renamed,bob@x\nE3,Cat New,cat@x\n';

describeEachDatabase('reconciliation runs over a CSV system', (db) => {
  beforeEach(async () => {
    await clearIdm(db());
  });

  it('adds, updates and disables the right IDM users, and a second run has nothing to do', async () => {
    await addIdmUser(db(), 'E1', { name: 'Ann One', email: 'ann@x' });
    await addIdmUser(db(), 'E2', { name: 'Bob Two', email: 'bob@x' });
    await addIdmUser(db(), 'E5', { name: 'Eve Gone', email: 'eve@x' });
    const hr = await createCsvSystem(db(), hrCsv, {
      situations: {
        IDM_EXISTS__RESOURCE_EXISTS: 'UPDATE_IDM_FROM_RESOURCE',
        IDM_NOT_EXISTS__RESOURCE_EXISTS: 'ADD_TO_IDM',
        IDM_EXISTS__RESOURCE_NOT_EXISTS: 'DISABLE_IN_IDM',
      },
    });
    const service = runServiceFor(db());
    const run = await runToEnd(service, db(), { configId: hr.configId });
    expect(run.status).toBe('succeeded');
    expect(run.counts).toEqual({
      situations: {
        IDM_EXISTS__RESOURCE_EXISTS: 2,
        IDM_NOT_EXISTS__RESOURCE_EXISTS: 1,
        IDM_EXISTS__RESOURCE_NOT_EXISTS: 1,
      },
      responses: { UPDATE_IDM_FROM_RESOURCE: 2, ADD_TO_IDM: 1, DISABLE_IN_IDM: 1 },
      // Decided above, written here: E1 needed nothing but its link.
      applied: { UPDATE_IDM_FROM_RESOURCE: 1, ADD_TO_IDM: 1, DISABLE_IN_IDM: 1 },
      linked: 1,
      skipped: 0,
      errors: 0,
    });
    const users = await idmUsers(db());
    expect(users.map((u) => [u.employee_id, u.name, u.status])).toEqual([
      ['E1', 'Ann One', 'active'],
      ['E2', 'Bob Renamed', 'active'],
      ['E3', 'Cat New', 'active'],
      ['E5', 'Eve Gone', 'disabled'],
    ]);
    const events = await eventsOf(db(), run.id);
    // E1 is unchanged, but this first run links it: a write, so an event.
    expect(events.map((e) => [e.object_key, e.response, e.outcome])).toEqual([
      ['E1', 'UPDATE_IDM_FROM_RESOURCE', 'applied'],
      ['E2', 'UPDATE_IDM_FROM_RESOURCE', 'applied'],
      ['E3', 'ADD_TO_IDM', 'applied'],
      [null, 'DISABLE_IN_IDM', 'applied'],
    ]);
    expect(events[1]?.diff).toEqual({ name: { before: 'Bob Two', after: 'Bob Renamed' } });
    expect(events[2]?.idm_object_id).toBe(users[2]?.id);
    expect(events[3]?.idm_object_id).toBe(users[3]?.id);

    const again = await runToEnd(service, db(), { configId: hr.configId });
    expect(again.status).toBe('succeeded');
    expect(await eventsOf(db(), again.id)).toEqual([]);
    expect((await idmUsers(db())).length).toBe(4);
  });

  it('a dry run records the full plan and writes nothing', async () => {
    await addIdmUser(db(), 'E2', { name: 'Bob Two' });
    const hr = await createCsvSystem(db(), hrCsv, {
      situations: {
        IDM_EXISTS__RESOURCE_EXISTS: 'UPDATE_RESOURCE_FROM_IDM',
        IDM_NOT_EXISTS__RESOURCE_EXISTS: 'DELETE_FROM_RESOURCE',
      },
    });
    const before = await idmUsers(db());
    const run = await runToEnd(runServiceFor(db()), db(), { configId: hr.configId, dryRun: true });
    expect(run.status).toBe('succeeded');
    expect(await idmUsers(db())).toEqual(before);
    expect(hr.read()).toBe(hrCsv);
    const events = await eventsOf(db(), run.id);
    expect(events.map((e) => [e.object_key, e.response, e.outcome])).toEqual([
      ['E1', 'DELETE_FROM_RESOURCE', 'planned'],
      ['E2', 'UPDATE_RESOURCE_FROM_IDM', 'planned'],
      ['E3', 'DELETE_FROM_RESOURCE', 'planned'],
    ]);
    const marks = await db().rows(sql`select * from watermarks where config_id = ${hr.configId}`);
    expect(marks).toEqual([]);
  });

  it('writes the system side: create, update, disable and delete accounts in the CSV', async () => {
    await addIdmUser(db(), 'E1', { name: 'Ann IDM', email: 'ann@x' });
    await addIdmUser(db(), 'E9', { name: 'Nick New', email: 'nick@x' });
    const app = await createCsvSystem(db(), hrCsv, {
      situations: {
        IDM_EXISTS__RESOURCE_EXISTS: 'UPDATE_RESOURCE_FROM_IDM',
        IDM_EXISTS__RESOURCE_NOT_EXISTS: 'ADD_TO_RESOURCE',
        IDM_NOT_EXISTS__RESOURCE_EXISTS: 'DELETE_FROM_RESOURCE',
      },
    });
    const run = await runToEnd(runServiceFor(db()), db(), { configId: app.configId });
    expect(run.status).toBe('succeeded');
    const lines = app.read().trim().split('\n').sort();
    expect(lines).toEqual(['E1,Ann IDM,ann@x', 'E9,Nick New,nick@x', 'employeeId,name,email']);
    const links = await db().rows<{ account_key: string }>(
      sql`select account_key from links where system_id = ${app.systemId} order by account_key`,
    );
    expect(links.map((l) => l.account_key)).toEqual(['E1', 'E9']);
  });

  it('a deletion threshold exactly at the limit passes; one over stops the run with nothing written', async () => {
    for (const id of ['E7', 'E8']) await addIdmUser(db(), id);
    const table = {
      IDM_EXISTS__RESOURCE_NOT_EXISTS: 'DELETE_FROM_IDM',
      IDM_NOT_EXISTS__RESOURCE_EXISTS: 'ADD_TO_IDM',
    } as const;
    const over = await createCsvSystem(db(), hrCsv, {
      situations: table,
      config: { deletionThreshold: { count: 1 } },
    });
    const stopped = await runToEnd(runServiceFor(db()), db(), { configId: over.configId });
    expect(stopped.status).toBe('stopped_by_threshold');
    expect(stopped.error?.code).toBe('deletion_threshold');
    expect((await idmUsers(db())).map((u) => u.employee_id)).toEqual(['E7', 'E8']);
    const planned = await eventsOf(db(), stopped.id);
    expect(planned.map((e) => e.outcome)).toEqual(Array(5).fill('planned'));

    const atLimit = await createCsvSystem(db(), hrCsv, {
      situations: table,
      config: { deletionThreshold: { count: 2, percent: 40 } },
    });
    const passed = await runToEnd(runServiceFor(db()), db(), { configId: atLimit.configId });
    expect(passed.status).toBe('succeeded');
    expect((await idmUsers(db())).map((u) => [u.employee_id, u.status])).toEqual([
      ['E1', 'active'],
      ['E2', 'active'],
      ['E3', 'active'],
      ['E7', 'deleted'],
      ['E8', 'deleted'],
    ]);
  });

  it('a non-trusted system never creates or updates IDM users: its orphans are recorded refusals', async () => {
    await addIdmUser(db(), 'E2', { name: 'Bob Two' });
    const app = await createCsvSystem(db(), hrCsv, {
      trusted: false,
      situations: {
        IDM_NOT_EXISTS__RESOURCE_EXISTS: 'ADD_TO_IDM',
        IDM_EXISTS__RESOURCE_EXISTS: 'UPDATE_IDM_FROM_RESOURCE',
      },
    });
    const run = await runToEnd(runServiceFor(db()), db(), { configId: app.configId });
    expect(run.status).toBe('succeeded');
    expect((await idmUsers(db())).map((u) => [u.employee_id, u.name])).toEqual([['E2', 'Bob Two']]);
    const events = await eventsOf(db(), run.id);
    expect(events.map((e) => [e.object_key, e.outcome, e.error?.code])).toEqual([
      ['E1', 'skipped', 'not_trusted'],
      ['E2', 'applied', 'not_trusted'],
      ['E3', 'skipped', 'not_trusted'],
    ]);
  });

  it('keys differing only in case, whitespace or Unicode form correlate; two matches are DISPUTED and left alone', async () => {
    await addIdmUser(db(), 'e1 ');
    await addIdmUser(db(), 'E2');
    await addIdmUser(db(), 'e2');
    await addIdmUser(db(), 'Ü3');
    const csv = 'employeeId,name,email\nE1,Ann,a@x\nE2,Bob,b@x\nU\u03083,Uwe,u@x\n';
    const app = await createCsvSystem(db(), csv, {
      situations: { IDM_EXISTS__RESOURCE_EXISTS: 'UPDATE_IDM_FROM_RESOURCE', DISPUTED: 'ADD_TO_IDM' },
    });
    const run = await runToEnd(runServiceFor(db()), db(), { configId: app.configId });
    expect(run.counts.situations).toEqual({ IDM_EXISTS__RESOURCE_EXISTS: 2, DISPUTED: 1 });
    const events = await eventsOf(db(), run.id);
    const disputed = events.find((e) => e.situation === 'DISPUTED');
    expect([disputed?.object_key, disputed?.outcome, disputed?.error?.code]).toEqual([
      'E2',
      'recorded',
      'disputed',
    ]);
    expect((await idmUsers(db())).map((u) => u.name).sort()).toEqual(['Ann', 'User E2', 'User e2', 'Uwe']);
  });

  it('stale days: a missing account is marked stale, and its IDM user deleted only after N days', async () => {
    let now = new Date('2025-03-01T00:00:00Z');
    const service = runServiceFor(db(), { now: () => now });
    const hr = await createCsvSystem(db(), 'employeeId,name,email\nE1,Ann,a@x\n', {
      config: { staleDays: 3, sourceGuard: null },
      situations: {
        IDM_NOT_EXISTS__RESOURCE_EXISTS: 'ADD_TO_IDM',
        IDM_EXISTS__RESOURCE_NOT_EXISTS: 'DELETE_FROM_IDM',
      },
    });
    await runToEnd(service, db(), { configId: hr.configId });
    const { writeFileSync } = await import('node:fs');
    writeFileSync(hr.file, 'employeeId,name,email\n');
    await runToEnd(service, db(), { configId: hr.configId });
    const [link] = await db().rows<{ status: string; stale_since: Date }>(
      sql`select status, stale_since from links where system_id = ${hr.systemId}`,
    );
    expect(link?.status).toBe('stale');
    expect((await idmUsers(db()))[0]?.status).toBe('active');
    now = new Date('2025-03-03T23:59:59Z');
    await runToEnd(service, db(), { configId: hr.configId });
    expect((await idmUsers(db()))[0]?.status).toBe('active');
    now = new Date('2025-03-04T00:00:00Z');
    const last = await runToEnd(service, db(), { configId: hr.configId });
    expect(last.counts.responses).toEqual({ DELETE_FROM_IDM: 1 });
    expect((await idmUsers(db()))[0]?.status).toBe('deleted');
  });
});
