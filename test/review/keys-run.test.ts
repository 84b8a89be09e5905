import { beforeAll, beforeEach, expect, it } from 'vitest';
import { describeEachDatabase } from '../helpers/databases.ts';
import { addIdmUser, clearIdm, createCsvSystem, idmUsers } from '../runs/recon-fixture.ts';
import { createReviewApi, eventRows, type ReviewApi } from './review-fixture.ts';

const csv =
  'employeeId,name,email\nE1,Ann New,ann@x\nE2,Bob New,bob@x\nE3,Cat New,cat@x\nE4,Dan Added,dan@x\n';
const situations = {
  IDM_EXISTS__RESOURCE_EXISTS: 'UPDATE_IDM_FROM_RESOURCE',
  IDM_NOT_EXISTS__RESOURCE_EXISTS: 'ADD_TO_IDM',
  IDM_EXISTS__RESOURCE_NOT_EXISTS: 'DISABLE_IN_IDM',
} as const;

describeEachDatabase('keys runs', (db) => {
  let api: ReviewApi;
  beforeAll(async () => {
    api = await createReviewApi(db());
  });
  beforeEach(async () => {
    await clearIdm(db());
    for (const id of ['E1', 'E2', 'E3', 'E9']) await addIdmUser(db(), id, { name: `${id} Old` });
  });

  it('touches only the objects it names', async () => {
    const hr = await createCsvSystem(db(), csv, { situations });
    const run = await api.run(hr.configId, { keys: ['E2'] });
    expect(run).toMatchObject({ status: 'succeeded', mode: 'keys', keys: ['E2'] });
    expect(run.counts.situations).toEqual({ IDM_EXISTS__RESOURCE_EXISTS: 1 });
    const events = await eventRows(db(), run.id);
    expect(events.map((e) => [e.object_key, e.situation, e.outcome])).toEqual([
      ['E2', 'IDM_EXISTS__RESOURCE_EXISTS', 'applied'],
    ]);
    expect((await idmUsers(db())).map((u) => [u.employee_id, u.name, u.status])).toEqual([
      ['E1', 'E1 Old', 'active'],
      ['E2', 'Bob New', 'active'],
      ['E3', 'E3 Old', 'active'],
      ['E9', 'E9 Old', 'active'],
    ]);
  });

  it('an idm: key brings the IDM object (and its account, found by its key); a missing key touches nothing', async () => {
    const hr = await createCsvSystem(db(), csv, { situations });
    const users = await idmUsers(db());
    const e9 = users.find((u) => u.employee_id === 'E9')?.id as string;
    const e3 = users.find((u) => u.employee_id === 'E3')?.id as string;
    const run = await api.run(hr.configId, { keys: [`idm:${e9}`, `idm:${e3}`, 'E404'] });
    expect(run.status).toBe('succeeded');
    const events = await eventRows(db(), run.id);
    expect(events.map((e) => [e.object_key, e.idm_object_id, e.situation, e.response])).toEqual([
      ['E3', e3, 'IDM_EXISTS__RESOURCE_EXISTS', 'UPDATE_IDM_FROM_RESOURCE'],
      [null, e9, 'IDM_EXISTS__RESOURCE_NOT_EXISTS', 'DISABLE_IN_IDM'],
    ]);
    expect((await idmUsers(db())).map((u) => [u.employee_id, u.name, u.status])).toEqual([
      ['E1', 'E1 Old', 'active'],
      ['E2', 'E2 Old', 'active'],
      ['E3', 'Cat New', 'active'],
      ['E9', 'E9 Old', 'disabled'],
    ]);
    // Now linked: the account key brings its IDM object through the link.
    const again = await api.run(hr.configId, { keys: ['E3'], dryRun: true });
    expect(again.counts.situations).toEqual({ IDM_EXISTS__RESOURCE_EXISTS: 1 });
  });

  it('refuses bad keys with a 400 naming the problem', async () => {
    const hr = await createCsvSystem(db(), csv, { situations });
    for (const keys of [[], ['E1', 'E1'], Array.from({ length: 1001 }, (_, i) => `K${i}`), ['idm:'], ['']]) {
      const response = await api.request('POST', `/api/recon-configs/${hr.configId}/runs`, {
        body: { keys },
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/^keys/);
    }
    const viewer = await api.request('POST', `/api/recon-configs/${hr.configId}/runs`, {
      role: 'viewer',
      body: { keys: ['E1'] },
    });
    expect(viewer.status).toBe(403);
    const operator = await api.asOperator('POST', `/api/recon-configs/${hr.configId}/runs`, { keys: ['E1'] });
    expect(operator.status).toBe(202);
    await api.services.runs.wait(((await operator.json()) as { runId: string }).runId);
  });
});
