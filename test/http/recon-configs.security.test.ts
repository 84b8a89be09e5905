import { beforeAll, expect, it } from 'vitest';
import type { ReconConfigResponse } from '../../server/http/routes/recon-configs/config-response.ts';
import type { ListConfigsResponse } from '../../server/http/routes/recon-configs/list-configs.ts';
import type { SystemResponse } from '../../server/http/routes/systems/system-schema.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { describeEachDatabase } from '../helpers/databases.ts';

describeEachDatabase('reconciliation configs: security', (db) => {
  let api: TestApi;
  let system: SystemResponse;
  let config: ReconConfigResponse;
  beforeAll(async () => {
    api = await createTestApi(db());
    system = (await (
      await api.request('POST', '/api/systems', {
        body: { name: 'HR', type: 'csv', uniqueFieldKey: 'id', connection: { path: '/tmp/hr.csv' } },
      })
    ).json()) as SystemResponse;
    config = (await (
      await api.request('POST', `/api/systems/${system.id}/recon-configs`, { body: { objectType: 'User' } })
    ).json()) as ReconConfigResponse;
  });

  it('needs a token, and an admin token to write', async () => {
    const writes: Array<[string, string]> = [
      ['POST', `/api/systems/${system.id}/recon-configs`],
      ['PATCH', `/api/recon-configs/${config.id}`],
      ['DELETE', `/api/recon-configs/${config.id}`],
    ];
    for (const [method, path] of [
      ...writes,
      ['GET', `/api/recon-configs/${config.id}`],
      ['GET', '/api/recon-configs'],
    ]) {
      expect((await api.request(method!, path!, { role: null })).status).toBe(401);
    }
    for (const [method, path] of writes) {
      expect((await api.request(method, path, { role: 'viewer', body: { objectType: 'User' } })).status).toBe(
        403,
      );
    }
    expect((await api.request('GET', `/api/recon-configs/${config.id}`, { role: 'viewer' })).status).toBe(
      200,
    );
  });

  it('treats injection in the systemId filter as a value that matches nothing', async () => {
    for (const value of ["' or 1=1 --", `${system.id}' or '1'='1`]) {
      const response = await api.request('GET', `/api/recon-configs?systemId=${encodeURIComponent(value)}`);
      expect(response.status).toBe(200);
      expect(((await response.json()) as ListConfigsResponse).items).toEqual([]);
    }
  });

  it('stores filters with SQL or LDAP metacharacters as plain text', async () => {
    const targetSearchFilter = "(&(uid=*)(cn=*))'; drop table recon_configs; --";
    const response = await api.request('PATCH', `/api/recon-configs/${config.id}`, {
      body: { targetSearchFilter },
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as ReconConfigResponse).targetSearchFilter).toBe(targetSearchFilter);
  });

  it('refuses prototype keys in nested records', async () => {
    const response = await api.request('PATCH', `/api/recon-configs/${config.id}`, {
      body: '{"attributeSync":{"__proto__":{"direction":"both"}},"situations":{"__proto__":{"response":"ADD_TO_IDM"}}}',
    });
    expect(response.status).toBeLessThan(500);
    const read = (await (
      await api.request('GET', `/api/recon-configs/${config.id}`)
    ).json()) as ReconConfigResponse;
    expect(read.situations.DISPUTED.response).toBe('DO_NOTHING');
    expect(({} as Record<string, unknown>).direction).toBeUndefined();
  });
});
