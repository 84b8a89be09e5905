import { writeFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { describeEachDatabase } from '../helpers/databases.ts';
import { addIdmUser, clearIdm, createCsvSystem, idmUsers } from '../runs/recon-fixture.ts';
import { createReviewApi, eventRows, type ReviewApi } from './review-fixture.ts';

const csv =
  'employeeId,name,email\nE1,Ann New,ann@x\nE2,Bob New,bob@x\nE3,Cat New,cat@x\nE4,Dan Added,dan@x\n';
const situations = {
  IDM_EXISTS__RESOURCE_EXISTS: 'UPDATE_IDM_FROM_RESOURCE',
  IDM_NOT_EXISTS__RESOURCE_EXISTS: 'ADD_TO_IDM',
} as const;

describeEachDatabase('plan → approve → apply', (db) => {
  let api: ReviewApi;
  beforeAll(async () => {
    api = await createReviewApi(db());
  });
  beforeEach(async () => {
    await clearIdm(db());
    for (const id of ['E1', 'E2', 'E3']) await addIdmUser(db(), id, { name: `${id} Old` });
  });

  it('carries out exactly the reviewed plan, skipping the objects that drifted on either side', async () => {
    const hr = await createCsvSystem(db(), csv, { situations });
    const plan = await api.run(hr.configId, { dryRun: true });
    expect(plan.status).toBe('succeeded');
    expect(plan.planHash).toMatch(/^[0-9a-f]{64}$/);
    expect((await idmUsers(db())).map((u) => u.name)).toEqual(['E1 Old', 'E2 Old', 'E3 Old']);

    // In between: E2's row is edited on the system, E3's IDM object is changed by someone else.
    writeFileSync(hr.file, csv.replace('Bob New', 'Bob Edited'));
    await db().rows(
      sql`update idm_objects set email = 'cat@elsewhere', version = version + 1 where employee_id = 'E3'`,
    );

    const applied = await api.apply(plan.id, plan.planHash as string);
    // Two approved actions were not carried out: the run says so in its status and error.
    expect(applied.error).toMatchObject({ code: 'event_errors', details: { skipped: 2 } });
    expect(applied).toMatchObject({
      status: 'succeeded_with_errors',
      trigger: 'apply',
      dryRun: false,
      appliedFrom: plan.id,
      approvedBy: 'test-admin',
    });
    const events = await eventRows(db(), applied.id);
    expect(events.map((e) => [e.object_key, e.outcome, e.error?.code ?? null])).toEqual([
      ['E1', 'applied', null],
      ['E2', 'skipped', 'changed_since_plan'],
      ['E3', 'skipped', 'changed_since_plan'],
      ['E4', 'applied', null],
    ]);
    expect(events[1]?.error?.message).toContain('account "E2" changed on the system');
    expect(events[2]?.error?.message).toMatch(/IDM object .* changed \(version 1 → 2\)/);
    const users = await idmUsers(db());
    expect(users.map((u) => [u.employee_id, u.name])).toEqual([
      ['E1', 'Ann New'],
      ['E2', 'E2 Old'],
      ['E3', 'E3 Old'],
      ['E4', 'Dan Added'],
    ]);
    // Every IDM write bumps the object's version.
    const [e1] = await db().rows<{ version: number }>(
      sql`select version from idm_objects where employee_id = 'E1'`,
    );
    expect(Number(e1?.version)).toBe(2);

    // A plan is applied once.
    const again = await api.request('POST', `/api/runs/${plan.id}/apply`, {
      body: { planHash: plan.planHash },
    });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { details: unknown } }).error.details).toEqual({
      reason: 'already_applied',
      runId: applied.id,
    });
  });

  it('answers 409 for a wrong hash, a run that is not a plan, and a config changed since', async () => {
    const hr = await createCsvSystem(db(), csv, { situations });
    const plan = await api.run(hr.configId, { dryRun: true });
    const wrong = await api.request('POST', `/api/runs/${plan.id}/apply`, {
      body: { planHash: 'a'.repeat(64) },
    });
    expect(wrong.status).toBe(409);
    expect(((await wrong.json()) as { error: { details: { reason: string } } }).error.details.reason).toBe(
      'plan_hash_mismatch',
    );
    const real = await api.run(hr.configId);
    expect(real.status).toBe('succeeded');
    const notPlan = await api.request('POST', `/api/runs/${real.id}/apply`, {
      body: { planHash: 'b'.repeat(64) },
    });
    expect(notPlan.status).toBe(409);
    expect(((await notPlan.json()) as { error: { details: { reason: string } } }).error.details.reason).toBe(
      'not_a_plan',
    );
    const plan2 = await api.run(hr.configId, { dryRun: true });
    const patched = await api.request('PATCH', `/api/recon-configs/${hr.configId}`, {
      body: { staleDays: 3 },
    });
    expect(patched.status).toBe(200);
    const changed = await api.request('POST', `/api/runs/${plan2.id}/apply`, {
      body: { planHash: plan2.planHash },
    });
    expect(changed.status).toBe(409);
    expect(((await changed.json()) as { error: { details: { reason: string } } }).error.details.reason).toBe(
      'config_changed',
    );
  });

  it('lets an operator apply a reviewed plan, and refuses a viewer', async () => {
    const hr = await createCsvSystem(db(), csv, { situations });
    const plan = await api.run(hr.configId, { dryRun: true });
    const viewer = await api.request('POST', `/api/runs/${plan.id}/apply`, {
      role: 'viewer',
      body: { planHash: plan.planHash },
    });
    expect(viewer.status).toBe(403);
    const operator = await api.asOperator('POST', `/api/runs/${plan.id}/apply`, { planHash: plan.planHash });
    expect(operator.status).toBe(202);
    const { runId } = (await operator.json()) as { runId: string };
    await api.services.runs.wait(runId);
    expect(await api.summary(runId)).toMatchObject({ status: 'succeeded', approvedBy: 'test-operator' });
    expect((await idmUsers(db())).length).toBe(4);
  });
});

describe('planHash', () => {
  it('is the same for the same plan and differs when an action differs', async () => {
    const { createPlanHasher } = await import('../../server/core/plan-hash.ts');
    const action = {
      seq: 0,
      objectKey: 'E1',
      idmObjectId: 'u1',
      situation: 'S',
      response: 'R',
      action: { idm: { op: 'update', id: 'u1', patch: { a: 1, b: 2 } } },
    };
    const h = (a: typeof action) => {
      const hasher = createPlanHasher();
      hasher.add([a]);
      return hasher.digest();
    };
    const reordered = { ...action, action: { idm: { patch: { b: 2, a: 1 }, id: 'u1', op: 'update' } } };
    expect(h(reordered)).toBe(h(action));
    expect(h({ ...action, action: { idm: { op: 'update', id: 'u1', patch: { a: 1, b: 3 } } } })).not.toBe(
      h(action),
    );
  });
});
