import { eq } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { runs } from '../../server/db/schema/index.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { insertActiveRun, type SeededRuns, seedRuns } from './run-fixtures.ts';

describeEachDatabase('cancelling runs: security', (db) => {
  let api: TestApi;
  let seeded: SeededRuns;
  let running: string;
  beforeAll(async () => {
    api = await createTestApi(db());
    seeded = await seedRuns(db());
    running = await insertActiveRun(db(), seeded.configId, 'running');
  });

  const row = async () => (await db().orm.select().from(runs).where(eq(runs.id, running)))[0]!;

  it('needs an operator or admin token; a viewer or no token leaves the run untouched', async () => {
    const path = `/api/runs/${running}/cancel`;
    expect((await api.request('POST', path, { role: null })).status).toBe(401);
    expect((await api.request('POST', path, { role: 'viewer' })).status).toBe(403);
    expect(await row()).toMatchObject({ status: 'running', cancelRequestedAt: null, cancelledBy: null });
    expect((await api.request('POST', path, { role: 'operator' })).status).toBe(202);
    expect((await row()).cancelledBy).toBe('test-operator');
  });

  it('treats injection in the id as an id that matches nothing', async () => {
    for (const id of ["' or 1=1 --", `${running}' or '1'='1`, '%']) {
      expect((await api.request('POST', `/api/runs/${encodeURIComponent(id)}/cancel`)).status, id).toBe(404);
    }
    const cancelled = await db().orm.select({ id: runs.id }).from(runs).where(eq(runs.status, 'cancelled'));
    expect(cancelled).toEqual([]);
  });
});
