import { beforeAll, expect, it } from 'vitest';
import type { ErrorBody } from '../../server/http/errors.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { type SeededRuns, seedRuns } from './run-fixtures.ts';

describeEachDatabase('runs and events: errors', (db) => {
  let api: TestApi;
  let seeded: SeededRuns;
  beforeAll(async () => {
    api = await createTestApi(db());
    seeded = await seedRuns(db());
  });

  const expectError = async (
    path: string,
    status: number,
    message: RegExp,
    method = 'GET',
    body?: unknown,
  ) => {
    const response = await api.request(method, path, { body });
    expect(response.status, path).toBe(status);
    const error = ((await response.json()) as ErrorBody).error;
    expect(error.message).toMatch(message);
  };

  it.each([
    ['/api/runs?status=done', /status/],
    ['/api/runs?from=yesterday', /from/],
    ['/api/runs?to=2025-13-01T00:00:00Z', /to/],
    ['/api/runs?limit=0', /limit/],
    ['/api/runs?limit=501', /limit/],
    ['/api/runs?limit=ten', /limit/],
    ['/api/runs?cursor=not-a-cursor', /cursor/],
    [`/api/runs?cursor=${Buffer.from('{"at":"now()","id":"x"}').toString('base64url')}`, /cursor/],
    ['/api/runs?sort=asc', /sort/],
  ])('rejects %s with 400 naming the parameter', async (path, message) => {
    await expectError(path, 400, message);
  });

  it.each([
    ['situation=SOMETIMES', /situation/],
    ['response=PANIC', /response/],
    ['outcome=exploded', /outcome/],
    ['cursor=eyJzZXEiOi0xfQ', /cursor/],
    ['limit=1001', /limit/],
  ])('rejects events?%s with 400 naming the parameter', async (query, message) => {
    await expectError(`/api/runs/${seeded.eventRunId}/events?${query}`, 400, message);
  });

  it('answers 404 for an unknown run or event', async () => {
    const id = '00000000-0000-0000-0000-000000000000';
    await expectError(`/api/runs/${id}`, 404, /no run/);
    await expectError(`/api/runs/${id}/events`, 404, /no run/);
    await expectError(`/api/runs/${id}/events.csv`, 404, /no run/);
    await expectError(`/api/runs/${seeded.eventRunId}/events/999999999`, 404, /no event/);
    await expectError(`/api/runs/${seeded.eventRunId}/events/abc`, 404, /no event/);
    await expectError(`/api/runs/${seeded.eventRunId}/events/99999999999999999999`, 404, /no event/);
  });

  it('does not show an event through another run', async () => {
    const page = await api.request('GET', `/api/runs/${seeded.eventRunId}/events?limit=1`);
    const { items } = (await page.json()) as { items: Array<{ id: string }> };
    await expectError(`/api/runs/${seeded.runIds[0]}/events/${items[0]!.id}`, 404, /no event/);
  });

  it('validates the start-run body before anything starts', async () => {
    const path = `/api/recon-configs/${seeded.configId}/runs`;
    await expectError(path, 400, /mode/, 'POST', { mode: 'partial' });
    await expectError(path, 400, /dryRun/, 'POST', { dryRun: 'yes' });
    await expectError(path, 400, /force/, 'POST', { force: true });
    await expectError(path, 400, /JSON/, 'POST', '{"dryRun":');
  });
});
