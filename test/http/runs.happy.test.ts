import { parse } from 'csv-parse/sync';
import { beforeAll, expect, it } from 'vitest';
import type { GetEventResponse } from '../../server/http/routes/runs/get-event.ts';
import type { GetRunResponse } from '../../server/http/routes/runs/get-run.ts';
import type { ListEventsResponse } from '../../server/http/routes/runs/list-events.ts';
import type { ListRunsResponse } from '../../server/http/routes/runs/list-runs.ts';
import { eventsCsvReport } from '../../server/reports/csv-report.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { type SeededRuns, seedRuns } from './run-fixtures.ts';

describeEachDatabase('runs and events: happy paths', (db) => {
  let api: TestApi;
  let seeded: SeededRuns;
  beforeAll(async () => {
    api = await createTestApi(db());
    seeded = await seedRuns(db());
  });

  const get = async <T>(path: string) => {
    const response = await api.request('GET', path, { role: 'viewer' });
    expect(response.status, path).toBe(200);
    return (await response.json()) as T;
  };

  it('lists runs newest first and pages through them with the cursor', async () => {
    const all = await get<ListRunsResponse>('/api/runs');
    expect(all.items).toHaveLength(6);
    expect(all.nextCursor).toBeNull();
    const first = await get<ListRunsResponse>(`/api/runs?configId=${seeded.configId}&limit=2`);
    expect(first.items.map((r) => r.id)).toEqual([seeded.runIds[4], seeded.runIds[3]]);
    const second = await get<ListRunsResponse>(
      `/api/runs?configId=${seeded.configId}&limit=2&cursor=${first.nextCursor}`,
    );
    expect(second.items.map((r) => r.id)).toEqual([seeded.runIds[2], seeded.runIds[1]]);
    const third = await get<ListRunsResponse>(
      `/api/runs?configId=${seeded.configId}&limit=2&cursor=${second.nextCursor}`,
    );
    expect(third.items.map((r) => r.id)).toEqual([seeded.runIds[0]]);
    expect(third.nextCursor).toBeNull();
  });

  it('filters runs by status and time', async () => {
    const stopped = await get<ListRunsResponse>('/api/runs?status=stopped_by_threshold');
    expect(stopped.items.map((r) => r.id)).toEqual([seeded.runIds[2]]);
    const window = await get<ListRunsResponse>(
      '/api/runs?from=2025-03-01T09:00:00Z&to=2025-03-01T11:00:00.000Z',
    );
    expect(window.items.map((r) => r.id)).toEqual([seeded.runIds[2], seeded.runIds[1]]);
    const failed = await get<ListRunsResponse>(`/api/runs?configId=${seeded.otherConfigId}`);
    expect(failed.items[0]).toMatchObject({ status: 'failed', error: { code: 'CONNECTOR_FAILED' } });
  });

  it('summarises one run', async () => {
    const run = await get<GetRunResponse>(`/api/runs/${seeded.runIds[3]}`);
    expect(run).toEqual({
      id: seeded.runIds[3],
      configId: seeded.configId,
      status: 'succeeded',
      dryRun: false,
      mode: 'full',
      trigger: 'manual',
      startedBy: null,
      planHash: null,
      appliedFrom: null,
      approvedBy: null,
      undoOf: null,
      keys: null,
      phase: null,
      startedAt: '2025-03-01T11:00:00.000Z',
      finishedAt: '2025-03-01T11:00:02.000Z',
      durationMs: 2000,
      counts: { situations: { IDM_EXISTS__RESOURCE_EXISTS: 30 }, responses: { DO_NOTHING: 30 }, errors: 3 },
      throughput: 103,
      policies: [],
      cancelRequestedAt: null,
      cancelledBy: null,
      createdAt: '2025-03-01T11:00:00.000Z',
      notifications: [],
    });
  });

  it('says who started a run', async () => {
    const run = await get<GetRunResponse>(`/api/runs/${seeded.runIds[2]}`);
    expect(run.startedBy).toBe('ci-bot');
  });

  it('pages through events by sequence and filters them', async () => {
    const seqs: number[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: ListEventsResponse = await get<ListEventsResponse>(
        `/api/runs/${seeded.eventRunId}/events?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seqs.push(...page.items.map((e) => e.seq));
      cursor = page.nextCursor;
    }
    expect(seqs).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
    const disputed = await get<ListEventsResponse>(
      `/api/runs/${seeded.eventRunId}/events?situation=DISPUTED&limit=1000`,
    );
    expect(disputed.items).toHaveLength(83);
    expect(disputed.items.every((e) => e.situation === 'DISPUTED')).toBe(true);
    const failed = await get<ListEventsResponse>(
      `/api/runs/${seeded.eventRunId}/events?outcome=failed&response=UPDATE_IDM_FROM_RESOURCE`,
    );
    expect(failed.items.map((e) => e.seq)).toEqual([10, 40, 70, 100, 130, 160, 190, 220, 250]);
    expect(failed.items[0]!.error).toMatchObject({ message: 'boom, at line 3' });
  });

  it('shows one event with before and after attributes and policy output', async () => {
    const page = await get<ListEventsResponse>(`/api/runs/${seeded.eventRunId}/events?limit=2`);
    const detail = await get<GetEventResponse>(`/api/runs/${seeded.eventRunId}/events/${page.items[0]!.id}`);
    expect(detail).toMatchObject({
      seq: 1,
      runId: seeded.eventRunId,
      before: { mail: 'old0@x', title: null },
      after: { mail: 'new0@x', title: 'Eng, "Lead"' },
      action: { kind: 'update', key: 'emp-1' },
    });
    const second = await get<GetEventResponse>(`/api/runs/${seeded.eventRunId}/events/${page.items[1]!.id}`);
    expect(second.policyOutput).toEqual({ name: 'Person 2' });
  });

  it('downloads every event as CSV, escaped and formula-safe', async () => {
    const response = await api.request('GET', `/api/runs/${seeded.eventRunId}/events.csv`, {
      role: 'viewer',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="run-${seeded.eventRunId}-events.csv"`,
    );
    const body = Buffer.from(await response.arrayBuffer()).toString('utf8');
    expect(body.startsWith('\uFEFF')).toBe(true);
    expect(body).toContain('\r\n');
    const rows = parse(body, { bom: true }) as string[][];
    expect(rows[0]).toEqual([
      'object key',
      'IDM id',
      'situation',
      'response',
      'outcome',
      'changed attributes',
      'error',
    ]);
    expect(rows).toHaveLength(251);
    expect(rows[1]![0]).toBe(`'=HYPERLINK("http://evil.example","click")`);
    expect(rows[1]![5]).toBe('mail: old0@x → new0@x; title: (empty) → Eng, "Lead"');
    expect(rows[10]).toEqual([
      'emp-10',
      'idm-10',
      'IDM_EXISTS__RESOURCE_EXISTS',
      'UPDATE_IDM_FROM_RESOURCE',
      'failed',
      'mail: old9@x → new9@x; title: (empty) → Eng, "Lead"',
      'boom, at line 3 (p.ts:3)',
    ]);
    expect(rows.slice(2).map((r) => r[0])).toEqual(Array.from({ length: 249 }, (_, i) => `emp-${i + 2}`));
  });

  it('reads the CSV in pages: small pages give the same file', async () => {
    const response = await api.request('GET', `/api/runs/${seeded.eventRunId}/events.csv`);
    const whole = Buffer.from(await response.arrayBuffer()).toString('utf8');
    let paged = '';
    let chunks = 0;
    for await (const chunk of eventsCsvReport(db(), seeded.eventRunId, { pageSize: 60 })) {
      paged += chunk;
      chunks++;
    }
    expect(chunks).toBe(1 + 5);
    expect(paged).toBe(whole);
  });
});
