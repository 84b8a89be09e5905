import { beforeAll, expect, it } from 'vitest';
import type { ErrorBody } from '../../server/http/errors.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { type SeededRuns, seedRuns } from './run-fixtures.ts';

describeEachDatabase('cancelling runs: errors', (db) => {
  let api: TestApi;
  let seeded: SeededRuns;
  beforeAll(async () => {
    api = await createTestApi(db());
    seeded = await seedRuns(db());
  });

  it('answers 404 for an unknown run', async () => {
    const res = await api.request('POST', '/api/runs/no-such-run/cancel');
    expect(res.status).toBe(404);
    expect(((await res.json()) as ErrorBody).error.message).toBe('no run with id "no-such-run"');
  });

  it('answers 409 with the reason and the status for a run that has ended, and changes nothing', async () => {
    for (const id of [seeded.runIds[4]!, seeded.runIds[2]!]) {
      const before = await (await api.request('GET', `/api/runs/${id}`)).json();
      const res = await api.request('POST', `/api/runs/${id}/cancel`, { role: 'operator' });
      expect(res.status).toBe(409);
      const body = (await res.json()) as ErrorBody;
      expect(body.error.code).toBe('CONFLICT');
      expect(body.error.message).toMatch(/has ended already \(status (succeeded|stopped_by_threshold)\)/);
      expect(body.error.details).toEqual({
        reason: 'already_ended',
        status: (before as { status: string }).status,
      });
      expect(await (await api.request('GET', `/api/runs/${id}`)).json()).toEqual(before);
    }
  });

  it('ignores a JSON body (the route takes none) and refuses a too-long id', async () => {
    const res = await api.request('POST', `/api/runs/${seeded.runIds[0]}/cancel`, { body: { force: true } });
    expect(res.status).toBe(409);
    expect((await api.request('POST', `/api/runs/${'x'.repeat(201)}/cancel`)).status).toBe(400);
  });
});
