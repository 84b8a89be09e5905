import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import type { ErrorBody } from '../../server/http/errors.ts';
import type { ListIdmResponse } from '../../server/http/routes/idm/list-idm-objects.ts';
import type { ReconConfigResponse } from '../../server/http/routes/recon-configs/config-response.ts';
import type { GetRunResponse } from '../../server/http/routes/runs/get-run.ts';
import type { ListEventsResponse } from '../../server/http/routes/runs/list-events.ts';
import type { StartRunResponse } from '../../server/http/routes/runs/start-run.ts';
import type { SystemResponse } from '../../server/http/routes/systems/system-schema.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { describeEachDatabase } from '../helpers/databases.ts';

describeEachDatabase('starting runs through the API', (db) => {
  let api: TestApi;
  let config: ReconConfigResponse;
  beforeAll(async () => {
    api = await createTestApi(db());
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'trueup-run-')), 'hr.csv');
    writeFileSync(
      file,
      'employeeId,name,email\nE1,Ada Lovelace,ada@example.test\nE2,Alan Turing,alan@example.test\n',
    );
    const system = (await (
      await api.request('POST', '/api/systems', {
        body: {
          name: 'HR',
          type: 'csv',
          trusted: true,
          uniqueFieldKey: 'employeeId',
          connection: { path: file },
        },
      })
    ).json()) as SystemResponse;
    config = (await (
      await api.request('POST', `/api/systems/${system.id}/recon-configs`, {
        body: {
          objectType: 'User',
          sourceAttributeName: 'employeeId',
          idmField: 'employeeId',
          sendDoNothingReport: true,
          situations: { IDM_NOT_EXISTS__RESOURCE_EXISTS: { response: 'ADD_TO_IDM' } },
        },
      })
    ).json()) as ReconConfigResponse;
  });

  const start = async (body?: unknown) => {
    const response = await api.request('POST', `/api/recon-configs/${config.id}/runs`, { body });
    expect(response.status).toBe(202);
    const { runId } = (await response.json()) as StartRunResponse;
    await api.services.runs.wait(runId);
    return (await (await api.request('GET', `/api/runs/${runId}`)).json()) as GetRunResponse;
  };
  const users = async () =>
    ((await (await api.request('GET', '/api/idm/users')).json()) as ListIdmResponse).items.map((u) => u.name);

  it('a dry run records the plan and changes nothing', async () => {
    const run = await start({ dryRun: true });
    expect(run).toMatchObject({ status: 'succeeded', dryRun: true, mode: 'full', trigger: 'api' });
    expect(run.counts.situations.IDM_NOT_EXISTS__RESOURCE_EXISTS).toBe(2);
    expect(await users()).toEqual([]);
  });

  it('a real run (empty body: the defaults) adds the accounts to the IDM, with events', async () => {
    const run = await start();
    expect(run).toMatchObject({ status: 'succeeded', dryRun: false, mode: 'full' });
    expect(run.counts.responses.ADD_TO_IDM).toBe(2);
    expect(await users()).toEqual(['Ada Lovelace', 'Alan Turing']);
    const events = (await (
      await api.request('GET', `/api/runs/${run.id}/events`)
    ).json()) as ListEventsResponse;
    expect(events.items.map((e) => [e.objectKey, e.response])).toEqual([
      ['E1', 'ADD_TO_IDM'],
      ['E2', 'ADD_TO_IDM'],
    ]);
  });

  it('answers 404 for an unknown config and 409 for an inactive one', async () => {
    const missing = await api.request(
      'POST',
      '/api/recon-configs/00000000-0000-0000-0000-000000000000/runs',
      {
        body: {},
      },
    );
    expect(missing.status).toBe(404);
    await api.request('PATCH', `/api/recon-configs/${config.id}`, { body: { status: 'inactive' } });
    const inactive = await api.request('POST', `/api/recon-configs/${config.id}/runs`, { body: {} });
    expect(inactive.status).toBe(409);
    expect(((await inactive.json()) as ErrorBody).error.message).toMatch(/inactive/);
  });
});
