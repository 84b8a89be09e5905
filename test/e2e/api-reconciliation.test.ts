import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import type { ListIdmResponse } from '../../server/http/routes/idm/list-idm-objects.ts';
import type { ReconConfigResponse } from '../../server/http/routes/recon-configs/config-response.ts';
import type { SystemResponse } from '../../server/http/routes/systems/system-schema.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { describeEachDatabase } from '../helpers/databases.ts';

/**
 * Issue 4's "done when", driven only through the HTTP contract of docs/api.md: no service is called
 * directly, runs are followed by polling GET /api/runs/:id like any API client would.
 */
const header = 'employeeNumber,name,department';
const people = [
  'E1,Ada Lovelace,Engineering',
  'E2,Alan Turing,Research',
  'E3,Grace Hopper,Navy',
  'E4,Edsger Dijkstra,Research',
];

describeEachDatabase('a reconciliation driven only through the API', (db) => {
  let api: TestApi;
  let file: string;
  let config: ReconConfigResponse;

  const json = <T>(method: string, url: string, body?: unknown) => api.json<T>(method, url, body);
  const run = (body: unknown) => api.runToEnd(config.id, body);
  const users = async () => {
    const page = await json<ListIdmResponse>('GET', '/api/idm/users?limit=100');
    return Object.fromEntries(
      page.items.map((u) => [u.attributes.employeeId, `${u.status}:${u.attributes.department}`]),
    );
  };
  const writeSource = (rows: string[]) => writeFileSync(file, `${[header, ...rows].join('\n')}\n`);

  beforeAll(async () => {
    api = await createTestApi(db());
    file = path.join(mkdtempSync(path.join(tmpdir(), 'trueup-e2e-')), 'hr.csv');
    writeSource(people);
    const system = await json<SystemResponse>('POST', '/api/systems', {
      name: 'HR export',
      type: 'csv',
      trusted: true,
      uniqueFieldKey: 'employeeNumber',
      connection: { path: file },
    });
    config = await json<ReconConfigResponse>('POST', `/api/systems/${system.id}/recon-configs`, {
      objectType: 'User',
      sourceAttributeName: 'employeeNumber',
      idmField: 'employeeId',
      attributeSync: { name: { direction: 'toIdm' }, department: { direction: 'toIdm' } },
      situations: {
        IDM_NOT_EXISTS__RESOURCE_EXISTS: { response: 'ADD_TO_IDM' },
        IDM_EXISTS__RESOURCE_EXISTS: { response: 'UPDATE_IDM_FROM_RESOURCE' },
        IDM_EXISTS__RESOURCE_NOT_EXISTS: { response: 'DISABLE_IN_IDM' },
      },
    });
  });

  it('adds, then updates and disables the right IDM users; a dry run changes nothing', async () => {
    const first = await run({});
    expect(first.status).toBe('succeeded');
    expect(first.counts.responses).toEqual({ ADD_TO_IDM: 4 });
    expect(await users()).toEqual({
      E1: 'active:Engineering',
      E2: 'active:Research',
      E3: 'active:Navy',
      E4: 'active:Research',
    });

    writeSource([people[0]!, 'E2,Alan Turing,Computing', people[2]!]);
    const dry = await run({ dryRun: true });
    expect(dry.status).toBe('succeeded');
    expect(dry.dryRun).toBe(true);
    expect(dry.counts.situations).toEqual({
      IDM_EXISTS__RESOURCE_EXISTS: 3,
      IDM_EXISTS__RESOURCE_NOT_EXISTS: 1,
    });
    const planned = await json<{ items: Array<{ objectKey: string; response: string }> }>(
      'GET',
      `/api/runs/${dry.id}/events?outcome=planned`,
    );
    expect(planned.items.map((e) => [e.objectKey, e.response]).sort()).toEqual([
      ['E2', 'UPDATE_IDM_FROM_RESOURCE'],
      ['E4', 'DISABLE_IN_IDM'],
    ]);
    expect((await users()).E2).toBe('active:Research');
    expect((await users()).E4).toBe('active:Research');

    const real = await run({ mode: 'full' });
    expect(real.status).toBe('succeeded');
    expect(await users()).toEqual({
      E1: 'active:Engineering',
      E2: 'active:Computing',
      E3: 'active:Navy',
      E4: 'disabled:Research',
    });

    const csv = await api.request('GET', `/api/runs/${real.id}/events.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = (await csv.text()).trim().split('\n');
    expect(lines[0]).toContain('object key');
    expect(lines.some((l) => l.includes('E2') && l.includes('UPDATE_IDM_FROM_RESOURCE'))).toBe(true);
    expect(lines.some((l) => l.includes('E4') && l.includes('DISABLE_IN_IDM'))).toBe(true);
  });

  it('stops at a deletion threshold with nothing written, and the events show the plan', async () => {
    await json('PATCH', `/api/recon-configs/${config.id}`, {
      deletionThreshold: { count: 1 },
      situations: { IDM_EXISTS__RESOURCE_NOT_EXISTS: { response: 'DELETE_FROM_IDM' } },
    });
    const before = await users();
    writeSource([people[0]!]);
    const stopped = await run({});
    expect(stopped.status).toBe('stopped_by_threshold');
    expect(await users()).toEqual(before);
    const events = await json<{ items: Array<{ objectKey: string; response: string; outcome: string }> }>(
      'GET',
      `/api/runs/${stopped.id}/events?response=DELETE_FROM_IDM`,
    );
    // E4, disabled by the previous run, is still in the IDM and missing from HR: a third deletion.
    expect(events.items.map((e) => [e.objectKey, e.outcome]).sort()).toEqual([
      ['E2', 'planned'],
      ['E3', 'planned'],
      ['E4', 'planned'],
    ]);
  });
});
