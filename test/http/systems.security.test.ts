import { readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { maxJsonBodyBytes } from '../../server/http/app.ts';
import type { ErrorBody } from '../../server/http/errors.ts';
import type { ListSystemsResponse } from '../../server/http/routes/systems/list-systems.ts';
import type { SystemResponse } from '../../server/http/routes/systems/system-schema.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { describeEachDatabase } from '../helpers/databases.ts';

describeEachDatabase('managed systems: security', (db) => {
  let api: TestApi;
  let system: SystemResponse;
  beforeAll(async () => {
    api = await createTestApi(db());
    const response = await api.request('POST', '/api/systems', {
      body: { name: 'HR', type: 'csv', uniqueFieldKey: 'id', connection: { path: '/tmp/hr.csv' } },
    });
    system = (await response.json()) as SystemResponse;
  });

  it('needs a token for every systems route', async () => {
    const routes: Array<[string, string]> = [
      ['GET', '/api/systems'],
      ['POST', '/api/systems'],
      ['GET', `/api/systems/${system.id}`],
      ['PATCH', `/api/systems/${system.id}`],
      ['DELETE', `/api/systems/${system.id}`],
      ['POST', `/api/systems/${system.id}/test`],
      ['POST', `/api/systems/${system.id}/file`],
    ];
    for (const [method, route] of routes) {
      expect((await api.request(method, route, { role: null })).status, `${method} ${route}`).toBe(401);
    }
  });

  it('lets a viewer read but not create, change, test, upload or delete', async () => {
    expect((await api.request('GET', `/api/systems/${system.id}`, { role: 'viewer' })).status).toBe(200);
    for (const [method, route] of [
      ['POST', '/api/systems'],
      ['PATCH', `/api/systems/${system.id}`],
      ['DELETE', `/api/systems/${system.id}`],
      ['POST', `/api/systems/${system.id}/test`],
      ['POST', `/api/systems/${system.id}/file`],
    ] as const) {
      expect((await api.request(method, route, { role: 'viewer', body: {} })).status).toBe(403);
    }
    expect((await api.request('GET', `/api/systems/${system.id}`)).status).toBe(200);
  });

  it('treats SQL and path tricks in ids as plain unknown ids', async () => {
    for (const id of ["' or '1'='1", '1;drop table managed_systems', '..%2F..%2Fetc%2Fpasswd', '%00']) {
      const response = await api.request('GET', `/api/systems/${id}`);
      expect(id === '%00' ? 400 : 404).toBe(response.status);
    }
    const list = (await (await api.request('GET', '/api/systems')).json()) as ListSystemsResponse;
    expect(list.items).toHaveLength(1);
  });

  it('answers 400, not 500, for a NUL character in a body', async () => {
    const response = await api.request('POST', '/api/systems', {
      body: { name: 'a\u0000b', type: 'csv', uniqueFieldKey: 'id', connection: { path: '/tmp/a.csv' } },
    });
    expect(response.status).toBe(400);
  });

  it('stores a name with SQL in it as plain text', async () => {
    const name = "x'); drop table managed_systems; --";
    const response = await api.request('POST', '/api/systems', {
      body: { name, type: 'csv', uniqueFieldKey: 'id', connection: { path: '/tmp/a.csv' } },
    });
    expect(response.status).toBe(201);
    expect(((await response.json()) as SystemResponse).name).toBe(name);
    expect((await api.request('GET', '/api/systems')).status).toBe(200);
  });

  it('refuses a JSON body over the limit with 413, but takes a larger upload', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(maxJsonBodyBytes), type: 'csv' });
    const response = await api.request('POST', '/api/systems', { body: big });
    expect(response.status).toBe(413);
    expect(((await response.json()) as ErrorBody).error.code).toBe('PAYLOAD_TOO_LARGE');
    const upload = await api.request('POST', `/api/systems/${system.id}/file`, {
      body: `id\n${'1\n'.repeat(maxJsonBodyBytes / 2 + 10)}`,
      headers: { 'content-type': 'text/csv' },
    });
    expect(upload.status).toBe(200);
  });

  it('names uploaded files itself: the client cannot choose where they land', async () => {
    const form = new FormData();
    form.set('file', new Blob(['id\n1\n']), '../../../../tmp/evil.csv');
    const response = await api.app.request(`/api/systems/${system.id}/file`, {
      method: 'POST',
      headers: { authorization: `Bearer ${api.tokens.admin}` },
      body: form,
    });
    expect(response.status).toBe(200);
    const uploads = path.join(api.services.config.dataDir, 'uploads');
    expect(readdirSync(uploads)).toEqual([`${system.id}.csv`]);
  });
});
