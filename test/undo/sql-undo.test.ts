import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqlFixture, dialectsAvailable, type SqlFixture } from '../connectors/sql-fixture.ts';
import { insertIdm } from '../converge/converge-fixture.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.ts';
import { eventRows } from '../review/review-fixture.ts';
import { createUndoApi, type UndoApi } from './undo-fixture.ts';

/**
 * Undo against SQL tables on PostgreSQL and MariaDB (docs/api.md "Undo, explain, replay, diff"):
 * accounts a run disabled are enabled again with their attributes, one enabled by hand since is
 * skipped with the reason, and an IDM object deleted outside the restore window is listed as what
 * cannot be undone before anything is applied.
 */
type Row = { emp_id: string; name: string; email: string; dept: string; status: string };
const rows: Row[] = [
  { emp_id: 'E1', name: 'Ada Keep', email: 'ada@example.test', dept: 'eng', status: 'active' },
  { emp_id: 'E2', name: 'Bob Orphan', email: 'bob@example.test', dept: 'ops', status: 'active' },
  { emp_id: 'E3', name: 'Cy Orphan', email: 'cy@example.test', dept: 'hr', status: 'active' },
  { emp_id: 'E4', name: 'Di Orphan', email: 'di@example.test', dept: 'eng', status: 'active' },
];

for (const dialect of ['postgres', 'mysql'] as const) {
  describe.runIf(dialectsAvailable[dialect])(`undo a run against SQL (${dialect})`, () => {
    let fixture: SqlFixture;
    let db: TestDatabase;
    let api: UndoApi;
    beforeAll(async () => {
      fixture = await createSqlFixture(dialect);
      db = await createTestDatabase('pglite');
      api = await createUndoApi(db);
    });
    afterAll(async () => {
      await api?.services.policyRunner.close();
      await db?.close();
      await fixture?.drop();
    });

    const table = async (name: string, policyMap = ['emp_id', 'name', 'email', 'dept']) => {
      await fixture.run(`create table ${name} (emp_id varchar(20) primary key, name varchar(100),
        email varchar(100), dept varchar(20), status varchar(20))`);
      for (const r of rows) {
        await fixture.run(
          `insert into ${name} values ('${r.emp_id}', '${r.name}', '${r.email}', '${r.dept}', '${r.status}')`,
        );
      }
      return api.system(
        {
          name: `HR table ${name}`,
          type: 'sql',
          trusted: true,
          uniqueFieldKey: 'emp_id',
          attributes: ['emp_id', 'name', 'email', 'dept'],
          connection: {
            ...fixture.connection,
            table: name,
            disabledColumn: 'status',
            disabledValue: 'disabled',
          },
        },
        {
          sourceAttributeName: 'emp_id',
          idmField: 'employeeId',
          idmSearchFilter: { cell: name },
          policyMap,
        },
      );
    };
    const tableRows = async (name: string) =>
      (await fixture.run(`select emp_id, name, email, dept, status from ${name} order by emp_id`)) as Row[];

    it('(b, e) a DISABLE_IN_RESOURCE is undone: each account is enabled again with its attributes; one enabled by hand since is skipped with the reason', async () => {
      // The run reads the status column, so its before-image holds the value the undo puts back.
      const { configId } = await table('people_disable', ['emp_id', 'name', 'email', 'dept', 'status']);
      await insertIdm(db, 'User', { employeeId: 'E1', name: 'Ada Keep', cell: 'people_disable' });
      await api.respond(configId, { IDM_NOT_EXISTS__RESOURCE_EXISTS: 'DISABLE_IN_RESOURCE' });
      const before = await tableRows('people_disable');
      const disabling = await api.run(configId);
      expect(disabling, JSON.stringify(await eventRows(db, disabling.id))).toMatchObject({
        status: 'succeeded',
        counts: { applied: { DISABLE_IN_RESOURCE: 3 } },
      });
      expect((await tableRows('people_disable')).map((r) => r.status)).toEqual([
        'active',
        'disabled',
        'disabled',
        'disabled',
      ]);
      // Someone enables Di by hand and moves her to another department.
      await fixture.run(`update people_disable set status = 'active', dept = 'sales' where emp_id = 'E4'`);

      const plan = await api.undo(disabling.id);
      expect(plan.planned, JSON.stringify(plan.notUndone)).toBe(2);
      expect(plan.notUndone).toEqual([
        expect.objectContaining({
          objectKey: 'E4',
          code: 'changed_since_run',
          reason: 'account "E4" was enabled again since the run',
        }),
      ]);
      const applied = await api.apply(plan.runId, plan.planHash);
      expect(applied, JSON.stringify(await eventRows(db, applied.id))).toMatchObject({
        status: 'succeeded',
        counts: { applied: { UNDO_DISABLE_IN_RESOURCE: 2 } },
      });
      expect(await tableRows('people_disable')).toEqual(
        before.map((r) => (r.emp_id === 'E4' ? { ...r, dept: 'sales' } : r)),
      );

      // Undoing the undo disables them again (an enable reads as an update of the status column).
      const again = await api.undoAndApply(applied.id);
      expect(again.plan).toMatchObject({ planned: 2, notUndone: [] });
      expect((await tableRows('people_disable')).map((r) => r.status)).toEqual([
        'active',
        'disabled',
        'disabled',
        'active',
      ]);
    });

    it('(b) a disable whose column the run did not read is undone by clearing it, and the plan says so first', async () => {
      const { configId } = await table('people_unread');
      await insertIdm(db, 'User', { employeeId: 'E1', name: 'Ada Keep', cell: 'people_unread' });
      await api.respond(configId, { IDM_NOT_EXISTS__RESOURCE_EXISTS: 'DISABLE_IN_RESOURCE' });
      const disabling = await api.run(configId);
      expect(disabling.counts.applied).toEqual({ DISABLE_IN_RESOURCE: 3 });
      const plan = await api.undo(disabling.id);
      expect(plan.planned).toBe(3);
      expect(plan.notUndone.map((n) => [n.objectKey, n.code, n.reason])).toEqual(
        ['E2', 'E3', 'E4'].map((key) => [
          key,
          'partly',
          `"status" of "${key}" was not read by the run (the policy map leaves it out): the undo clears it, which enables the account`,
        ]),
      );
      const applied = await api.apply(plan.runId, plan.planHash);
      expect(applied.counts.applied).toEqual({ UNDO_DISABLE_IN_RESOURCE: 3 });
      expect((await tableRows('people_unread')).map((r) => r.status)).toEqual(['active', null, null, null]);
    });

    it('(f) an IDM object deleted outside the restore window is listed as what cannot be undone, before anything is applied', async () => {
      const { configId } = await table('people_window');
      await fixture.run(`delete from people_window where emp_id in ('E3', 'E4')`);
      const gone = await insertIdm(db, 'User', { employeeId: 'E9', name: 'Ed Gone', cell: 'people_window' });
      const recent = await insertIdm(db, 'User', {
        employeeId: 'E8',
        name: 'Flo Gone',
        cell: 'people_window',
      });
      await api.respond(configId, { IDM_EXISTS__RESOURCE_NOT_EXISTS: 'DELETE_FROM_IDM' });
      const deleting = await api.run(configId);
      expect(deleting.counts.applied).toEqual({ DELETE_FROM_IDM: 2 });
      // The first was deleted 31 days ago: past IDM_RESTORE_DAYS (30 by default).
      await db.rows(sql`update idm_objects set deleted_at = now() - interval '31 days' where id = ${gone}`);
      const plan = await api.undo(deleting.id);
      expect(plan.planned).toBe(1);
      expect(plan.notUndone).toEqual([
        expect.objectContaining({
          idmObjectId: gone,
          code: 'cannot_undo',
          reason: expect.stringMatching(/outside the restore window of 30 days$/),
        }),
      ]);
      await api.apply(plan.runId, plan.planHash);
      const statuses = await db.rows<{ id: string; status: string }>(
        sql`select id, status from idm_objects where id in (${gone}, ${recent}) order by employee_id`,
      );
      expect(statuses).toEqual([
        { id: recent, status: 'active' },
        { id: gone, status: 'deleted' },
      ]);
    });
  });
}
