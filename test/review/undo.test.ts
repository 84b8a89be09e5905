import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { seedDemoWorkspace } from '../../server/demo/seed.ts';
import type { ErrorBody } from '../../server/http/errors.ts';
import type { UndoRunResponse } from '../../server/http/routes/runs/undo-run.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { createReviewApi, eventRows, type ReviewApi } from './review-fixture.ts';

type UserRow = { employee_id: string; status: string; attributes: Record<string, unknown> };

/** The HR file with its last data rows cut until `count` active employees are gone (a damaged export). */
function truncated(original: string, count: number): string {
  const lines = original.trimEnd().split('\n');
  let cut = 0;
  while (cut < count) {
    const line = lines.pop();
    if (line === undefined) throw new Error('the file has too few active employees');
    if (line.includes(',active,')) cut++;
  }
  return `${lines.join('\n')}\n`;
}

describeEachDatabase('undo a run', (db) => {
  let api: ReviewApi;
  let hrFile: string;
  let original: string;
  const users = () =>
    db().rows<UserRow>(
      sql`select employee_id, status, attributes from idm_objects where type = 'User' order by employee_id`,
    );
  const undo = async (runId: string) => {
    const response = await api.request('POST', `/api/runs/${runId}/undo`);
    expect(response.status, await response.clone().text()).toBe(202);
    return (await response.json()) as UndoRunResponse;
  };

  beforeAll(async () => {
    api = await createReviewApi(db());
    expect(await seedDemoWorkspace(db(), api.services.config.dataDir)).toBe(true);
    hrFile = path.join(api.services.config.dataDir, 'demo/hr.csv');
    original = readFileSync(hrFile, 'utf8');
    expect((await api.run('demo-hr-users')).status).toBe('succeeded');
  });

  it('a damaged source disabled 16 users: the undo plan, reviewed and applied, makes each active again with its attributes', async () => {
    const hired = await users();
    expect(hired.filter((u) => u.status === 'active').length).toBeGreaterThan(16);
    // A damaged export: the last rows are missing. The source guard only asks for one account.
    writeFileSync(hrFile, truncated(original, 16));
    const damaged = await api.run('demo-hr-users');
    expect(damaged).toMatchObject({ status: 'succeeded', counts: { applied: { DISABLE_IN_IDM: 16 } } });
    expect((await users()).filter((u) => u.status === 'disabled').length).toBe(16);
    // Fixing the file does not bring them back on its own in the same moment: undo does.
    writeFileSync(hrFile, original);

    const plan = await undo(damaged.id);
    expect(plan).toMatchObject({ undoOf: damaged.id, planned: 16, notUndone: [] });
    const summary = await api.summary(plan.runId);
    expect(summary).toMatchObject({
      dryRun: true,
      trigger: 'undo',
      status: 'succeeded',
      planHash: plan.planHash,
    });
    const planned = (await eventRows(db(), plan.runId)).filter((e) => e.outcome === 'planned');
    expect(planned.map((e) => e.response)).toEqual(Array(16).fill('UNDO_DISABLE_IN_IDM'));
    // Nothing is written before the plan is applied.
    expect((await users()).filter((u) => u.status === 'disabled').length).toBe(16);

    const applied = await api.apply(plan.runId, plan.planHash);
    expect(applied).toMatchObject({
      status: 'succeeded',
      trigger: 'apply',
      appliedFrom: plan.runId,
      approvedBy: 'test-admin',
      counts: { applied: { UNDO_DISABLE_IN_IDM: 16 } },
    });
    expect(await users()).toEqual(hired);

    // The same run cannot be undone twice; the undo itself can be undone.
    const twice = await api.request('POST', `/api/runs/${damaged.id}/undo`);
    expect(twice.status).toBe(409);
    expect(((await twice.json()) as ErrorBody).error.details).toEqual({
      reason: 'already_undone',
      runId: applied.id,
    });
    const redo = await undo(applied.id);
    expect(redo).toMatchObject({ planned: 16, notUndone: [] });
    const redone = await api.apply(redo.runId, redo.planHash);
    expect(redone.counts.applied).toEqual({ UNDO_UNDO_DISABLE_IN_IDM: 16 });
    expect((await users()).filter((u) => u.status === 'disabled').length).toBe(16);
    const back = await undo(redone.id);
    await api.apply(back.runId, back.planHash);
    expect(await users()).toEqual(hired);
  });

  it('an object changed since the run is skipped with the reason, before anything is applied', async () => {
    writeFileSync(hrFile, truncated(original, 2));
    const damaged = await api.run('demo-hr-users');
    expect(damaged.counts.applied).toEqual({ DISABLE_IN_IDM: 2 });
    writeFileSync(hrFile, original);
    const [first] = await db().rows<{ idm_object_id: string }>(
      sql`select idm_object_id from run_events where run_id = ${damaged.id} order by seq limit 1`,
    );
    await db().rows(sql`update idm_objects set attributes = attributes || '{"title":"Changed by hand"}',
      version = version + 1, updated_at = now() + interval '1 second' where id = ${first?.idm_object_id}`);
    const plan = await undo(damaged.id);
    expect(plan.planned).toBe(1);
    expect(plan.notUndone).toEqual([
      expect.objectContaining({
        idmObjectId: first?.idm_object_id,
        code: 'changed_since_run',
        reason: `IDM object ${first?.idm_object_id} changed since the run`,
      }),
    ]);
    const applied = await api.apply(plan.runId, plan.planHash);
    expect(applied.counts.applied).toEqual({ UNDO_DISABLE_IN_IDM: 1 });
    const statuses = await db().rows<{ status: string }>(
      sql`select status from idm_objects where id = ${first?.idm_object_id}`,
    );
    expect(statuses).toEqual([{ status: 'disabled' }]);
  });

  it('a deleted IDM object comes back whole: attributes, memberships and its link', async () => {
    await api.json('PATCH', '/api/recon-configs/demo-hr-users', {
      situations: { IDM_EXISTS__RESOURCE_NOT_EXISTS: { response: 'DELETE_FROM_IDM' } },
    });
    const [ada] = await db().rows<{ id: string }>(
      sql`select id from idm_objects where employee_id = 'E1001'`,
    );
    const id = ada?.id as string;
    // Settle what the earlier tests left (a hand-edited title, a user still disabled).
    expect((await api.run('demo-hr-users')).status).toBe('succeeded');
    await db().rows(sql`insert into idm_objects (id, type, name) values ('g-engineers', 'Group', 'Engineers'),
      ('g-all', 'Group', 'Everyone')`);
    await db().rows(
      sql`insert into idm_memberships (member_id, target_id) values (${id}, 'g-engineers'), (${id}, 'g-all')`,
    );
    const view = async () => {
      const response = await api.request('GET', `/api/idm/users/${id}`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as Record<string, unknown>;
      // The link as the undo restores it (when the undo wrote it is its own `lastSeenAt`; the
      // account as last read is what the last full run read, which no longer listed E1001).
      const links = (body.links as Array<Record<string, unknown>>).map(
        ({ lastSeenAt: _at, account: _read, ...link }) => link,
      );
      return { status: body.status, attributes: body.attributes, memberOf: body.memberOf, links };
    };
    const whole = await view();
    expect(whole.memberOf).toHaveLength(2);
    writeFileSync(hrFile, original.replace(/^E1001,.*\n/m, ''));
    const deleting = await api.run('demo-hr-users');
    expect(deleting.counts.applied).toEqual({ DELETE_FROM_IDM: 1 });
    expect((await view()).status).toBe('deleted');
    writeFileSync(hrFile, original);

    const plan = await undo(deleting.id);
    expect(plan).toMatchObject({ planned: 1, notUndone: [] });
    expect((await api.apply(plan.runId, plan.planHash)).status).toBe('succeeded');
    expect(await view()).toEqual(whole);
    const [row] = await db().rows<{ deleted_at: unknown }>(
      sql`select deleted_at from idm_objects where id = ${id}`,
    );
    expect(row?.deleted_at).toBeNull();
  });
});
