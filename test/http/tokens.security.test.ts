import { beforeAll, expect, it } from 'vitest';
import type { CreateTokenResponse } from '../../server/http/routes/tokens/create-token.ts';
import type { ListTokensResponse } from '../../server/http/routes/tokens/list-tokens.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { describeEachDatabase } from '../helpers/databases.ts';

describeEachDatabase('API tokens: security', (db) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await createTestApi(db());
  });

  it('needs an admin token for every token route', async () => {
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/api/tokens'],
      ['POST', '/api/tokens', { name: 'sneaky', role: 'admin' }],
      ['DELETE', '/api/tokens/anything'],
    ];
    for (const [method, path, body] of routes) {
      expect((await api.request(method, path, { role: null, body })).status, `${method} ${path}`).toBe(401);
      for (const role of ['viewer', 'operator'] as const) {
        expect((await api.request(method, path, { role, body })).status, `${role} ${method} ${path}`).toBe(
          403,
        );
      }
    }
    const listed = (await (await api.request('GET', '/api/tokens')).json()) as ListTokensResponse;
    expect(listed.items.map((t) => t.name)).not.toContain('sneaky');
  });

  it('never shows a token or its hash after creation', async () => {
    const created = (await (
      await api.request('POST', '/api/tokens', { body: { name: 'secretive', role: 'viewer' } })
    ).json()) as CreateTokenResponse;
    const listed = await (await api.request('GET', '/api/tokens')).text();
    expect(listed).not.toContain(created.token);
    expect(listed).not.toMatch(/[0-9a-f]{64}/);
    expect(Object.keys(JSON.parse(listed).items[0]).sort()).toEqual(
      ['createdAt', 'id', 'lastUsedAt', 'name', 'prefix', 'revokedAt', 'role'].sort(),
    );
  });

  it('treats injection in the id as an id that matches nothing, and revokes nothing', async () => {
    for (const id of ["' or 1=1 --", '%', '*']) {
      expect((await api.request('DELETE', `/api/tokens/${encodeURIComponent(id)}`)).status, id).toBe(404);
    }
    const listed = (await (await api.request('GET', '/api/tokens')).json()) as ListTokensResponse;
    expect(listed.items.filter((t) => t.revokedAt)).toEqual([]);
  });

  it('refuses a revoked admin token at once, even for revoking others', async () => {
    const other = (await (
      await api.request('POST', '/api/tokens', { body: { name: 'rogue admin', role: 'admin' } })
    ).json()) as CreateTokenResponse;
    expect((await api.request('DELETE', `/api/tokens/${other.id}`)).status).toBe(200);
    const res = await api.app.request(`/api/tokens/${other.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${other.token}` },
    });
    expect(res.status).toBe(401);
  });
});
