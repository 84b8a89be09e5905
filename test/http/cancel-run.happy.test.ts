import { beforeAll, expect, it } from 'vitest';
import type { CancelRunResponse } from '../../server/http/routes/runs/cancel-run.ts';
import type { GetRunResponse } from '../../server/http/routes/runs/get-run.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { insertActiveRun, type SeededRuns, seedRuns } from './run-fixtures.ts';

/**
 * docs/api.md `POST /api/runs/:id/cancel`. The run rows stand where the engine would leave them; how a
 * running run stops at its next boundary is test/runs/cancel.test.ts, and from the console
 * test/console/operate.e2e.test.ts.
 */
describeEachDatabase('cancelling runs: happy paths', (db) => {
  let api: TestApi;
  let seeded: SeededRuns;
  beforeAll(async () => {
    api = await createTestApi(db());
    seeded = await seedRuns(db());
  });

  const insertRun = (status: 'queued' | 'running', configId: string) =>
    insertActiveRun(db(), configId, status);
  const getRun = async (id: string) =>
    (await (await api.request('GET', `/api/runs/${id}`, { role: 'viewer' })).json()) as GetRunResponse;

  it('cancels a queued run at once', async () => {
    const id = await insertRun('queued', seeded.configId);
    const res = await api.request('POST', `/api/runs/${id}/cancel`, { role: 'operator' });
    expect(res.status).toBe(202);
    const body = (await res.json()) as CancelRunResponse;
    expect(body).toEqual({
      runId: id,
      status: 'cancelled',
      cancelRequestedAt: expect.any(String),
      cancelledBy: 'test-operator',
    });
    const run = await getRun(id);
    expect(run).toMatchObject({
      status: 'cancelled',
      cancelledBy: 'test-operator',
      cancelRequestedAt: body.cancelRequestedAt,
      error: { code: 'cancelled', message: 'cancelled by test-operator before it started' },
    });
    expect(run.finishedAt).not.toBeNull();
  });

  it('stores the request of a running run, which runs on until its next batch boundary; the first asker is kept', async () => {
    const id = await insertRun('running', seeded.otherConfigId);
    const first = await api.request('POST', `/api/runs/${id}/cancel`, { role: 'operator' });
    expect(first.status).toBe(202);
    const asked = (await first.json()) as CancelRunResponse;
    expect(asked).toMatchObject({ runId: id, status: 'running', cancelledBy: 'test-operator' });
    const again = await api.request('POST', `/api/runs/${id}/cancel`, { role: 'admin' });
    expect(again.status).toBe(202);
    expect(await again.json()).toEqual(asked);
    expect(await getRun(id)).toMatchObject({
      status: 'running',
      cancelRequestedAt: asked.cancelRequestedAt,
      cancelledBy: 'test-operator',
      finishedAt: null,
    });
  });
});
