import { beforeAll, expect, it } from 'vitest';
import { runs } from '../../server/db/schema/index.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { type SeededRuns, seedRuns } from './run-fixtures.ts';

describeEachDatabase('undo and explain: security', (db) => {
  let api: TestApi;
  let seeded: SeededRuns;
  let eventId: string;
  beforeAll(async () => {
    api = await createTestApi(db());
    seeded = await seedRuns(db());
    const list = await api.json<{ items: Array<{ id: string }> }>(
      'GET',
      `/api/runs/${seeded.eventRunId}/events`,
    );
    eventId = list.items[0]!.id;
  });

  const runCount = async () => (await db().orm.select({ id: runs.id }).from(runs)).length;

  it('undo needs an admin: no token, a viewer or an operator makes no plan', async () => {
    const before = await runCount();
    const path = `/api/runs/${seeded.eventRunId}/undo`;
    expect((await api.request('POST', path, { role: null })).status).toBe(401);
    expect((await api.request('POST', path, { role: 'viewer' })).status).toBe(403);
    expect((await api.request('POST', path, { role: 'operator' })).status).toBe(403);
    expect(await runCount()).toBe(before);
  });

  it('explain is for any signed-in role, never without a token', async () => {
    const path = `/api/runs/${seeded.eventRunId}/events/${eventId}/explain`;
    expect((await api.request('GET', path, { role: null })).status).toBe(401);
    expect((await api.request('GET', path, { role: 'viewer' })).status).toBe(200);
  });

  it('treats injection in the ids as ids that match nothing', async () => {
    for (const id of ["' or 1=1 --", `${seeded.eventRunId}' or '1'='1`, '%']) {
      const encoded = encodeURIComponent(id);
      expect((await api.request('POST', `/api/runs/${encoded}/undo`)).status, id).toBe(404);
      expect(
        (await api.request('GET', `/api/runs/${seeded.eventRunId}/events/${encoded}/explain`)).status,
        id,
      ).toBe(404);
      expect((await api.request('GET', `/api/runs/${encoded}/events/${eventId}/explain`)).status, id).toBe(
        404,
      );
    }
  });
});
