import { writeFileSync } from 'node:fs';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkSourceGuard } from '../../server/core/source-guard.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { addIdmUser, clearIdm, createCsvSystem, idmUsers } from '../runs/recon-fixture.ts';
import { createReviewApi, eventRows, type ReviewApi } from './review-fixture.ts';

const header = 'employeeId,name,email\n';
const rows = (n: number) =>
  Array.from({ length: n }, (_, i) => `E${i + 1},User ${i + 1},u${i + 1}@x`).join('\n');

describeEachDatabase('held plans and the source guard', (db) => {
  let api: ReviewApi;
  beforeAll(async () => {
    api = await createReviewApi(db());
  });
  beforeEach(async () => {
    await clearIdm(db());
  });

  it('a threshold-held plan is refused to an operator and applied by an admin, who is recorded', async () => {
    for (const id of ['E1', 'E2', 'E3', 'G1', 'G2']) await addIdmUser(db(), id);
    const hr = await createCsvSystem(db(), `${header}${rows(3)}\n`, {
      situations: { IDM_EXISTS__RESOURCE_NOT_EXISTS: 'DELETE_FROM_IDM' },
      config: { deletionThreshold: { count: 1 } },
    });
    const held = await api.run(hr.configId);
    expect(held.status).toBe('stopped_by_threshold');
    expect(held.planHash).toMatch(/^[0-9a-f]{64}$/);
    // The events show the held plan: the two deletions, still planned.
    const planned = (await eventRows(db(), held.id)).filter((e) => e.outcome === 'planned');
    expect(planned.map((e) => e.response)).toEqual(['DELETE_FROM_IDM', 'DELETE_FROM_IDM']);
    expect((await idmUsers(db())).every((u) => u.status === 'active')).toBe(true);

    const operator = await api.asOperator('POST', `/api/runs/${held.id}/apply`, { planHash: held.planHash });
    expect(operator.status).toBe(403);
    expect(((await operator.json()) as { error: { message: string } }).error.message).toContain('admin');

    const applied = await api.apply(held.id, held.planHash as string);
    expect(applied).toMatchObject({ status: 'succeeded', approvedBy: 'test-admin', appliedFrom: held.id });
    const users = await idmUsers(db());
    expect(users.map((u) => [u.employee_id, u.status])).toEqual([
      ['E1', 'active'],
      ['E2', 'active'],
      ['E3', 'active'],
      ['G1', 'deleted'],
      ['G2', 'deleted'],
    ]);
  });

  it('a successful search with 0 accounts stops the run before any write', async () => {
    for (const id of ['E1', 'E2']) await addIdmUser(db(), id);
    const hr = await createCsvSystem(db(), header, {
      situations: { IDM_EXISTS__RESOURCE_NOT_EXISTS: 'DISABLE_IN_IDM' },
    });
    const run = await api.run(hr.configId);
    expect(run.status).toBe('stopped_by_guard');
    expect(run.error).toMatchObject({
      code: 'source_guard',
      details: { rule: 'minAccounts', limit: 1, accounts: 0 },
    });
    expect((await idmUsers(db())).every((u) => u.status === 'active')).toBe(true);
    const events = await eventRows(db(), run.id);
    expect(events.map((e) => e.outcome)).toEqual(['planned', 'planned']);
    expect(run.planHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a 60% drop against the last successful full run stops a run with maxDropPercent 50', async () => {
    const hr = await createCsvSystem(db(), `${header}${rows(10)}\n`, {
      situations: {
        IDM_NOT_EXISTS__RESOURCE_EXISTS: 'ADD_TO_IDM',
        IDM_EXISTS__RESOURCE_NOT_EXISTS: 'DISABLE_IN_IDM',
      },
      config: { sourceGuard: { minAccounts: 1, maxDropPercent: 50 } },
    });
    expect((await api.run(hr.configId)).status).toBe('succeeded');
    expect((await idmUsers(db())).length).toBe(10);

    writeFileSync(hr.file, `${header}${rows(4)}\n`);
    const dropped = await api.run(hr.configId);
    expect(dropped.status).toBe('stopped_by_guard');
    expect(dropped.error?.details).toMatchObject({
      rule: 'maxDropPercent',
      limit: 50,
      accounts: 4,
      previousAccounts: 10,
    });
    expect((await idmUsers(db())).every((u) => u.status === 'active')).toBe(true);

    // A keys run is not guarded by the drop rule (and a dry run's counts are no baseline).
    const keys = await api.run(hr.configId, { keys: ['E1'] });
    expect(keys.status).toBe('succeeded');

    // Exactly 50% fewer passes.
    writeFileSync(hr.file, `${header}${rows(5)}\n`);
    expect((await api.run(hr.configId)).status).toBe('succeeded');
    expect((await idmUsers(db())).filter((u) => u.status === 'disabled').length).toBe(5);
  });

  it('the guard is a config field: null turns it off', async () => {
    for (const id of ['E1']) await addIdmUser(db(), id);
    const hr = await createCsvSystem(db(), header, {
      situations: { IDM_EXISTS__RESOURCE_NOT_EXISTS: 'DISABLE_IN_IDM' },
    });
    const read = await api.request('GET', `/api/recon-configs/${hr.configId}`);
    expect(((await read.json()) as { sourceGuard: unknown }).sourceGuard).toEqual({ minAccounts: 1 });
    const off = await api.request('PATCH', `/api/recon-configs/${hr.configId}`, {
      body: { sourceGuard: null },
    });
    expect(off.status).toBe(200);
    expect(((await off.json()) as { sourceGuard: unknown }).sourceGuard).toBeNull();
    const bad = await api.request('PATCH', `/api/recon-configs/${hr.configId}`, {
      body: { sourceGuard: { maxDropPercent: 150 } },
    });
    expect(bad.status).toBe(400);
    expect((await api.run(hr.configId)).status).toBe('succeeded');
    expect((await idmUsers(db()))[0]?.status).toBe('disabled');
  });
});

describe('checkSourceGuard', () => {
  it.each([
    [{ minAccounts: 1 }, 'full', 0, null, 'guard_stopped'],
    [{ minAccounts: 1 }, 'full', 1, null, 'passed'],
    [{ minAccounts: 1 }, 'incremental', 0, null, 'passed'],
    [{ minAccounts: 1 }, 'keys', 0, null, 'passed'],
    [null, 'full', 0, null, 'passed'],
    [{ maxDropPercent: 50 }, 'full', 50, 100, 'passed'],
    [{ maxDropPercent: 50 }, 'full', 49, 100, 'guard_stopped'],
    [{ maxDropPercent: 50 }, 'full', 0, 0, 'passed'],
    [{ maxDropPercent: 0 }, 'full', 100, 100, 'passed'],
    [{ maxDropPercent: 10 }, 'full', 200, 100, 'passed'],
  ] as const)('%j %s %d accounts after %s → %s', (guard, mode, accounts, previous, outcome) => {
    expect(checkSourceGuard(guard, mode, accounts, previous).outcome).toBe(outcome);
  });
});
