import { beforeAll, expect, it } from 'vitest';
import type { CreateTokenResponse } from '../../server/http/routes/tokens/create-token.ts';
import type { ListTokensResponse } from '../../server/http/routes/tokens/list-tokens.ts';
import type { RevokeTokenResponse } from '../../server/http/routes/tokens/revoke-token.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { describeEachDatabase } from '../helpers/databases.ts';

describeEachDatabase('API tokens: happy paths', (db) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await createTestApi(db());
  });

  const withToken = (token: string, path = '/api/runs') =>
    api.app.request(path, { headers: { authorization: `Bearer ${token}` } });

  it('creates a token whose secret is shown once and works at once, then lists it without the secret', async () => {
    const res = await api.request('POST', '/api/tokens', { body: { name: 'ci-bot', role: 'operator' } });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const created = (await res.json()) as CreateTokenResponse;
    expect(created).toMatchObject({ name: 'ci-bot', role: 'operator', lastUsedAt: null, revokedAt: null });
    expect(created.token).toMatch(/^tu_[A-Za-z0-9_-]{43}$/);
    expect(created.token.startsWith(created.prefix)).toBe(true);
    expect((await withToken(created.token)).status).toBe(200);

    const listed = (await (await api.request('GET', '/api/tokens')).json()) as ListTokensResponse;
    const mine = listed.items.find((t) => t.id === created.id);
    expect(mine).toEqual({
      id: created.id,
      name: 'ci-bot',
      role: 'operator',
      prefix: created.prefix,
      createdAt: created.createdAt,
      lastUsedAt: expect.any(String),
      revokedAt: null,
    });
    expect(listed.items.map((t) => t.name)).toEqual(expect.arrayContaining(['test-admin', 'test-viewer']));
    expect(JSON.stringify(listed)).not.toContain(created.token);
  });

  it('revokes a token: its very next request gets 401, and the list says when', async () => {
    const created = (await (
      await api.request('POST', '/api/tokens', { body: { name: 'short-lived', role: 'viewer' } })
    ).json()) as CreateTokenResponse;
    expect((await withToken(created.token)).status).toBe(200);
    const res = await api.request('DELETE', `/api/tokens/${created.id}`);
    expect(res.status).toBe(200);
    const revoked = (await res.json()) as RevokeTokenResponse;
    expect(revoked).toMatchObject({ id: created.id, name: 'short-lived', revokedAt: expect.any(String) });
    const refused = await withToken(created.token);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
    const listed = (await (await api.request('GET', '/api/tokens')).json()) as ListTokensResponse;
    expect(listed.items.find((t) => t.id === created.id)?.revokedAt).toBe(revoked.revokedAt);
  });

  it('revokes an admin token while another admin token lives', async () => {
    const second = (await (
      await api.request('POST', '/api/tokens', { body: { name: 'second admin', role: 'admin' } })
    ).json()) as CreateTokenResponse;
    expect((await withToken(second.token, '/api/tokens')).status).toBe(200);
    expect((await api.request('DELETE', `/api/tokens/${second.id}`)).status).toBe(200);
    expect((await withToken(second.token, '/api/tokens')).status).toBe(401);
  });
});
