import { beforeAll, expect, it } from 'vitest';
import type { ListEventsResponse } from '../../server/http/routes/runs/list-events.ts';
import type { ListRunsResponse } from '../../server/http/routes/runs/list-runs.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { type SeededRuns, seedRuns } from './run-fixtures.ts';

describeEachDatabase('runs and events: security', (db) => {
  let api: TestApi;
  let seeded: SeededRuns;
  beforeAll(async () => {
    api = await createTestApi(db());
    seeded = await seedRuns(db());
  });

  it('needs a token for the history, and an admin token to start a run', async () => {
    const reads = [
      '/api/runs',
      `/api/runs/${seeded.eventRunId}`,
      `/api/runs/${seeded.eventRunId}/events`,
      `/api/runs/${seeded.eventRunId}/events.csv`,
      `/api/runs/${seeded.eventRunId}/events/1`,
    ];
    for (const path of reads) expect((await api.request('GET', path, { role: null })).status, path).toBe(401);
    const start = `/api/recon-configs/${seeded.configId}/runs`;
    expect((await api.request('POST', start, { role: null, body: {} })).status).toBe(401);
    expect((await api.request('POST', start, { role: 'viewer', body: {} })).status).toBe(403);
  });

  it('treats injection in filters as values that match nothing', async () => {
    for (const value of ["' or 1=1 --", `${seeded.configId}' or '1'='1`, '*', '%']) {
      const response = await api.request('GET', `/api/runs?configId=${encodeURIComponent(value)}`);
      expect(response.status).toBe(200);
      expect(((await response.json()) as ListRunsResponse).items).toEqual([]);
    }
    const response = await api.request(
      'GET',
      `/api/runs/${seeded.eventRunId}/events?situation=${encodeURIComponent("DISPUTED' or '1'='1")}`,
    );
    expect(response.status).toBe(400);
  });

  it('keeps a crafted cursor from reading other configs', async () => {
    const cursor = Buffer.from(JSON.stringify({ at: '9999-01-01 00:00:00+00', id: 'zzz' })).toString(
      'base64url',
    );
    const response = await api.request('GET', `/api/runs?configId=${seeded.configId}&cursor=${cursor}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as ListRunsResponse;
    expect(body.items.every((r) => r.configId === seeded.configId)).toBe(true);
    expect(body.items).toHaveLength(5);
    const events = await api.request('GET', `/api/runs/${seeded.runIds[0]}/events`);
    expect(((await events.json()) as ListEventsResponse).items).toEqual([]);
  });

  it('sends the CSV as a download that browsers will not sniff as HTML', async () => {
    const response = await api.request('GET', `/api/runs/${seeded.eventRunId}/events.csv`);
    expect(response.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const text = await response.text();
    expect(text).not.toMatch(/^=|\n=|,=/);
  });
});
