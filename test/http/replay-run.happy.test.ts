import { readFileSync } from 'node:fs';
import { beforeAll, expect, it } from 'vitest';
import type { DiffRunsResponse } from '../../server/http/routes/runs/diff-runs.ts';
import type { ReplayRunResponse } from '../../server/http/routes/runs/replay-run.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { type ReplaySetup, setUpReplay, upperPopulation } from './replay-fixtures.ts';

/** docs/api.md `POST /api/runs/:id/replay` and `GET /api/runs/:id/diff?against=`. */
describeEachDatabase('replaying a run and diffing two runs: happy paths', (db) => {
  let api: TestApi;
  let setup: ReplaySetup;
  beforeAll(async () => {
    api = await createTestApi(db());
    setup = await setUpReplay(api);
  });

  it('replays a run with a changed population policy: every ADD_TO_IDM differs in its name, nothing is written', async () => {
    const [, last] = setup.dryRunIds;
    const runsBefore = await api.json<{ items: unknown[] }>('GET', '/api/runs');
    const file = readFileSync(setup.file, 'utf8');
    const res = await api.request('POST', `/api/runs/${last}/replay`, {
      role: 'operator',
      body: { policies: { 'hr/population.ts': upperPopulation } },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as ReplayRunResponse;
    expect(body).toMatchObject({ runId: last, configId: setup.configId, status: 'succeeded', failed: 0 });
    expect(body.counts).toMatchObject({
      before: 3,
      after: 3,
      changed: 3,
      attributes: 3,
      situation: 0,
      response: 0,
    });
    expect(
      body.changed.map((c) => [c.objectKey, c.before?.diff?.name?.after, c.after?.diff?.name?.after]),
    ).toEqual([
      ['E1', 'Ada Lovelace', 'ADA LOVELACE'],
      ['E3', 'Edsger Dijkstra', 'EDSGER DIJKSTRA'],
      ['E4', 'Grace Hopper', 'GRACE HOPPER'],
    ]);
    expect(await api.json('GET', '/api/runs')).toEqual(runsBefore);
    expect(readFileSync(setup.file, 'utf8')).toBe(file);
    expect((await api.json<{ items: unknown[] }>('GET', '/api/idm/users')).items).toEqual([]);
  });

  it('lists at most `limit` changed objects, counting all', async () => {
    const body = await api.json<ReplayRunResponse>('POST', `/api/runs/${setup.dryRunIds[1]}/replay?limit=1`, {
      policies: { 'hr/population.ts': upperPopulation },
    });
    expect([body.counts.changed, body.changed.length, body.truncated]).toEqual([3, 1, true]);
  });

  it('diffs two runs of a config: the new and the gone objects, the rest unchanged', async () => {
    const [first, last] = setup.dryRunIds;
    const res = await api.request('GET', `/api/runs/${last}/diff?against=${first}`, { role: 'viewer' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as DiffRunsResponse;
    expect(body).toMatchObject({
      runId: last,
      against: first,
      configId: setup.configId,
      basis: { run: 'snapshot', against: 'snapshot' },
      truncated: false,
    });
    expect(body.counts).toMatchObject({
      before: 3,
      after: 3,
      changed: 2,
      new: 1,
      gone: 1,
      situation: 0,
      response: 0,
    });
    expect(
      body.changed.map((c) => [
        c.objectKey,
        c.changes,
        c.before?.response ?? null,
        c.after?.response ?? null,
      ]),
    ).toEqual([
      ['E4', ['new'], null, 'ADD_TO_IDM'],
      ['E2', ['gone'], 'ADD_TO_IDM', null],
    ]);
  });
});
