import { beforeAll, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { type SeededRuns, seedRuns } from '../http/run-fixtures.ts';

describeEachDatabase('run reports: errors', (db) => {
  let api: TestApi;
  let seeded: SeededRuns;
  beforeAll(async () => {
    api = await createTestApi(db());
    seeded = await seedRuns(db());
  });

  it.each([
    ['/api/runs/no-such-run/report', 404, 'NOT_FOUND', /no run with id "no-such-run"/],
    ['/api/runs/no-such-run/report?format=csv', 404, 'NOT_FOUND', /no run/],
    ['/api/runs/no-such-run/do-nothing.csv', 404, 'NOT_FOUND', /no run/],
  ])('%s → %i', async (path, status, code, message) => {
    const response = await api.request('GET', path);
    expect(response.status).toBe(status);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe(code);
    expect(body.error.message).toMatch(message);
  });

  it.each([
    ['?format=pdf', /format/],
    ['?format=', /format/],
    ['?colour=blue', /colour|unrecognized/i],
  ])('a bad query %s is a 4xx naming the problem', async (query, message) => {
    const response = await api.request('GET', `/api/runs/${seeded.eventRunId}/report${query}`);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    const body = (await response.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(message);
  });
});
