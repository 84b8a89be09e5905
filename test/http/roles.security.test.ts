import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import type { TokenRole } from '../../server/core/model.ts';
import type { ErrorBody } from '../../server/http/errors.ts';
import type { ReconConfigResponse } from '../../server/http/routes/recon-configs/config-response.ts';
import type { GetRunResponse } from '../../server/http/routes/runs/get-run.ts';
import type { StartRunResponse } from '../../server/http/routes/runs/start-run.ts';
import type { SystemResponse } from '../../server/http/routes/systems/system-schema.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { describeEachDatabase } from '../helpers/databases.ts';

/** docs/api.md "Signing in, roles, errors": admin does everything, operator starts runs and reads, viewer only reads. */
describeEachDatabase('roles: admin, operator, viewer', (db) => {
  let api: TestApi;
  let system: SystemResponse;
  let config: ReconConfigResponse;
  beforeAll(async () => {
    api = await createTestApi(db());
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'trueup-roles-')), 'hr.csv');
    writeFileSync(file, 'employeeId,name\nE1,Ada Lovelace\n');
    system = (await (
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
        body: { objectType: 'User', sourceAttributeName: 'employeeId', idmField: 'employeeId' },
      })
    ).json()) as ReconConfigResponse;
  });

  const as = (role: TokenRole | null, method: string, url: string, body?: unknown) =>
    api.request(method, url, { role, ...(body === undefined ? {} : { body }) });

  /** Changes only an admin may make, with a body that would pass validation. */
  const adminOnly = () =>
    [
      [
        'POST',
        '/api/systems',
        { name: 'X', type: 'csv', uniqueFieldKey: 'k', connection: { path: '/tmp/x.csv' } },
      ],
      ['PATCH', `/api/systems/${system.id}`, { trusted: false }],
      ['DELETE', `/api/systems/${system.id}`, undefined],
      ['POST', `/api/systems/${system.id}/test`, undefined],
      ['POST', `/api/systems/${system.id}/recon-configs`, { objectType: 'Group' }],
      ['PATCH', `/api/recon-configs/${config.id}`, { staleDays: 3 }],
      ['DELETE', `/api/recon-configs/${config.id}`, undefined],
      ['POST', '/api/policies', { path: 'x.ts', source: 'export {}' }],
      ['POST', '/api/policies/test', { path: 'x.ts', input: {} }],
    ] as const;

  it('an operator starts a run, recorded with its token name as who started it', async () => {
    const response = await as('operator', 'POST', `/api/recon-configs/${config.id}/runs`, { dryRun: true });
    expect(response.status).toBe(202);
    const { runId } = (await response.json()) as StartRunResponse;
    await api.services.runs.wait(runId);
    const run = (await (await as('viewer', 'GET', `/api/runs/${runId}`)).json()) as GetRunResponse;
    expect(run).toMatchObject({
      status: 'succeeded',
      dryRun: true,
      startedBy: 'test-operator',
      trigger: 'api',
    });
  });

  it('an operator cannot create, change or delete systems, configs or policies', async () => {
    for (const [method, url, body] of adminOnly()) {
      const response = await as('operator', method, url, body);
      expect(response.status, `${method} ${url}`).toBe(403);
      const { error } = (await response.json()) as ErrorBody;
      expect(error.code).toBe('FORBIDDEN');
      expect(error.message).toMatch(/operator token may not .* needs an admin token/);
      expect(error.details).toEqual({ role: 'operator', needs: 'admin' });
    }
    // Nothing changed: the system and its config are still there as they were.
    const after = (await (await as('operator', 'GET', `/api/systems/${system.id}`)).json()) as SystemResponse;
    expect(after).toEqual(system);
    expect((await as('operator', 'GET', `/api/recon-configs/${config.id}`)).status).toBe(200);
  });

  it('a viewer reads everything and may neither start runs nor change anything', async () => {
    for (const url of [
      '/api/systems',
      '/api/recon-configs',
      '/api/runs',
      '/api/policies',
      '/api/idm/users',
    ]) {
      expect((await as('viewer', 'GET', url)).status, url).toBe(200);
    }
    const start = await as('viewer', 'POST', `/api/recon-configs/${config.id}/runs`, {});
    expect(start.status).toBe(403);
    expect(((await start.json()) as ErrorBody).error.message).toMatch(/needs an operator or admin token/);
    for (const [method, url, body] of adminOnly()) {
      expect((await as('viewer', method, url, body)).status, `${method} ${url}`).toBe(403);
    }
  });

  it('checks the role before the body: a forbidden caller learns nothing about its input', async () => {
    const response = await as('viewer', 'POST', '/api/systems', '{not json');
    expect(response.status).toBe(403);
    const operator = await as('operator', 'POST', `/api/systems/${system.id}/recon-configs`, { bogus: 1 });
    expect(operator.status).toBe(403);
  });

  it('without a token every /api route answers 401, and an admin may do what an operator may', async () => {
    for (const [method, url, body] of adminOnly()) {
      expect((await as(null, method, url, body)).status, `${method} ${url}`).toBe(401);
    }
    expect((await as(null, 'POST', `/api/recon-configs/${config.id}/runs`, {})).status).toBe(401);
    const started = await as('admin', 'POST', `/api/recon-configs/${config.id}/runs`, {});
    expect(started.status).toBe(202);
    const { runId } = (await started.json()) as StartRunResponse;
    await api.services.runs.wait(runId);
    const run = (await (await as('admin', 'GET', `/api/runs/${runId}`)).json()) as GetRunResponse;
    expect(run.startedBy).toBe('test-admin');
  });
});
