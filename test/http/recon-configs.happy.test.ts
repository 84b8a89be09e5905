import { beforeAll, expect, it } from 'vitest';
import type { ReconConfigResponse } from '../../server/http/routes/recon-configs/config-response.ts';
import type { ListConfigsResponse } from '../../server/http/routes/recon-configs/list-configs.ts';
import type { SystemResponse } from '../../server/http/routes/systems/system-schema.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { describeEachDatabase } from '../helpers/databases.ts';

const fullConfig = {
  name: 'HR users',
  objectType: 'User',
  status: 'active',
  frequency: '0 2 * * 1-5',
  timezone: 'Europe/Paris',
  notificationEmail: 'iam-team@example.com',
  sendDoNothingReport: true,
  reportFormat: 'csv',
  targetQueryPolicy: 'hr/target-query.ts',
  targetSearchFilter: 'status=active',
  idmQueryPolicy: 'hr/idm-query.ts',
  idmSearchFilter: { type: 'employee' },
  updatedSince: '2024-01-01T00:00:00.000Z',
  sourceAttributeName: 'employeeNumber',
  idmField: 'employeeId',
  matchingPolicy: 'hr/match.ts',
  preProcessorPolicy: 'hr/pre.ts',
  postProcessorPolicy: 'hr/post.ts',
  customProcessorPolicy: null,
  policyMap: ['employeeNumber', 'mail', 'givenName', 'groups'],
  attributeSync: { mail: { direction: 'toIdm', confidence: 80 }, title: { direction: 'both' } },
  deletionThreshold: { count: 10, percent: 5 },
  staleDays: 7,
  entitlementAttribute: 'groups',
  situations: {
    IDM_EXISTS__RESOURCE_EXISTS: { response: 'UPDATE_IDM_FROM_RESOURCE', populationPolicy: 'hr/populate.ts' },
    IDM_NOT_EXISTS__RESOURCE_EXISTS: { response: 'ADD_TO_IDM', populationPolicy: 'hr/populate.ts' },
    IDM_EXISTS__RESOURCE_NOT_EXISTS: { response: 'DISABLE_IN_IDM', commandPolicy: 'hr/disable.ts' },
  },
};

describeEachDatabase('reconciliation configs: happy paths', (db) => {
  let api: TestApi;
  let system: SystemResponse;
  beforeAll(async () => {
    api = await createTestApi(db());
    const response = await api.request('POST', '/api/systems', {
      body: {
        name: 'HR',
        type: 'csv',
        uniqueFieldKey: 'employeeNumber',
        connection: { path: '/tmp/hr.csv' },
      },
    });
    system = (await response.json()) as SystemResponse;
  });

  it('creates a config with every field and reads it back', async () => {
    const response = await api.request('POST', `/api/systems/${system.id}/recon-configs`, {
      body: fullConfig,
    });
    expect(response.status).toBe(201);
    const created = (await response.json()) as ReconConfigResponse;
    const { situations, ...fields } = fullConfig;
    expect(created).toMatchObject({
      ...fields,
      id: expect.any(String),
      systemId: system.id,
      idmCustomAttribute: null,
    });
    expect(created.situations).toEqual({
      IDM_EXISTS__RESOURCE_EXISTS: {
        response: 'UPDATE_IDM_FROM_RESOURCE',
        populationPolicy: 'hr/populate.ts',
        commandPolicy: null,
      },
      IDM_NOT_EXISTS__RESOURCE_EXISTS: {
        response: 'ADD_TO_IDM',
        populationPolicy: 'hr/populate.ts',
        commandPolicy: null,
      },
      IDM_EXISTS__RESOURCE_NOT_EXISTS: {
        response: 'DISABLE_IN_IDM',
        populationPolicy: null,
        commandPolicy: 'hr/disable.ts',
      },
      IDM_DELETED__RESOURCE_EXISTS: { response: 'DO_NOTHING', populationPolicy: null, commandPolicy: null },
      DISPUTED: { response: 'DO_NOTHING', populationPolicy: null, commandPolicy: null },
    });
    const read = await api.request('GET', `/api/recon-configs/${created.id}`, { role: 'viewer' });
    expect(await read.json()).toEqual(created);
  });

  it('fills defaults for a minimal config', async () => {
    const response = await api.request('POST', `/api/systems/${system.id}/recon-configs`, {
      body: { objectType: 'Group' },
    });
    expect(response.status).toBe(201);
    const created = (await response.json()) as ReconConfigResponse;
    expect(created).toMatchObject({
      objectType: 'Group',
      status: 'active',
      frequency: null,
      timezone: 'UTC',
      reportFormat: 'html',
      sendDoNothingReport: false,
      policyMap: [],
      attributeSync: {},
      deletionThreshold: {},
      staleDays: 0,
      entitlementAttribute: null,
    });
    expect(Object.values(created.situations).every((s) => s.response === 'DO_NOTHING')).toBe(true);
  });

  it('changes only the given fields and situations', async () => {
    const created = (await (
      await api.request('POST', `/api/systems/${system.id}/recon-configs`, { body: fullConfig })
    ).json()) as ReconConfigResponse;
    const response = await api.request('PATCH', `/api/recon-configs/${created.id}`, {
      body: {
        status: 'inactive',
        frequency: 'hourly',
        idmField: null,
        idmCustomAttribute: 'badge',
        entitlementAttribute: 'mail',
        situations: { IDM_DELETED__RESOURCE_EXISTS: { response: 'DELETE_FROM_RESOURCE' } },
      },
    });
    expect(response.status).toBe(200);
    const changed = (await response.json()) as ReconConfigResponse;
    expect(changed).toMatchObject({
      status: 'inactive',
      frequency: 'hourly',
      idmField: null,
      idmCustomAttribute: 'badge',
      entitlementAttribute: 'mail',
    });
    expect(changed.notificationEmail).toBe(fullConfig.notificationEmail);
    expect(changed.situations.IDM_DELETED__RESOURCE_EXISTS.response).toBe('DELETE_FROM_RESOURCE');
    expect(changed.situations.IDM_NOT_EXISTS__RESOURCE_EXISTS.response).toBe('ADD_TO_IDM');
  });

  it('lists configs, by system, and removes one', async () => {
    const other = (await (
      await api.request('POST', '/api/systems', {
        body: { name: 'App', type: 'csv', uniqueFieldKey: 'id', connection: { path: '/tmp/app.csv' } },
      })
    ).json()) as SystemResponse;
    const config = (await (
      await api.request('POST', `/api/systems/${other.id}/recon-configs`, { body: { objectType: 'Role' } })
    ).json()) as ReconConfigResponse;
    const mine = (await (
      await api.request('GET', `/api/recon-configs?systemId=${other.id}`)
    ).json()) as ListConfigsResponse;
    expect(mine.items.map((c) => c.id)).toEqual([config.id]);
    const all = (await (await api.request('GET', '/api/recon-configs')).json()) as ListConfigsResponse;
    expect(all.items.length).toBeGreaterThan(1);
    expect((await api.request('DELETE', `/api/recon-configs/${config.id}`)).status).toBe(204);
    expect((await api.request('GET', `/api/recon-configs/${config.id}`)).status).toBe(404);
  });
});
