import { eq } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { apiTokens } from '../../server/db/schema/index.ts';
import type { ErrorBody } from '../../server/http/errors.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { describeEachDatabase } from '../helpers/databases.ts';

describeEachDatabase('token authentication on /api', (db) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await createTestApi(db());
  });

  const send = (method: string, path: string, authorization?: string) =>
    api.app.request(path, { method, headers: authorization ? { authorization } : {} });

  it('answers 401 without a token, in the one error shape', async () => {
    const response = await api.request('GET', '/api/systems', { role: null });
    expect(response.status).toBe(401);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.code).toBe('UNAUTHORIZED');
    expect(body.error.message).toMatch(/Authorization: Bearer/);
    expect(body.error.requestId).toEqual(expect.any(String));
  });

  it.each([
    ['an unknown token', 'Bearer tu_not-a-real-token'],
    ['a malformed header', 'Basic YWRtaW46YWRtaW4='],
    ['an empty bearer', 'Bearer '],
    ['SQL in the token', "Bearer ' or '1'='1"],
    [
      'a hash instead of the token',
      'Bearer 0000000000000000000000000000000000000000000000000000000000000000',
    ],
  ])('answers 401 for %s', async (_, authorization) => {
    const response = await send('GET', '/api/systems', authorization);
    expect(response.status).toBe(401);
    expect(((await response.json()) as ErrorBody).error.code).toBe('UNAUTHORIZED');
  });

  it('does not accept the stored hash in place of the token', async () => {
    const [row] = await db().orm.select().from(apiTokens).where(eq(apiTokens.role, 'admin')).limit(1);
    const response = await send('GET', '/api/systems', `Bearer ${row!.tokenHash}`);
    expect(response.status).toBe(401);
  });

  it('lets a viewer read but not write', async () => {
    expect((await api.request('GET', '/api/systems', { role: 'viewer' })).status).toBe(200);
    const response = await api.request('POST', '/api/systems', { role: 'viewer', body: { name: 'x' } });
    expect(response.status).toBe(403);
    expect(((await response.json()) as ErrorBody).error.code).toBe('FORBIDDEN');
    for (const method of ['PATCH', 'DELETE']) {
      expect((await api.request(method, '/api/systems/anything', { role: 'viewer' })).status).toBe(403);
    }
  });

  it('checks the token before the route exists (no probing without a token)', async () => {
    expect((await api.request('GET', '/api/no-such-thing', { role: null })).status).toBe(401);
    expect((await api.request('GET', '/api/no-such-thing')).status).toBe(404);
  });

  it('refuses a revoked token', async () => {
    await db().orm.update(apiTokens).set({ revokedAt: new Date() }).where(eq(apiTokens.role, 'viewer'));
    const response = await api.request('GET', '/api/systems', { role: 'viewer' });
    expect(response.status).toBe(401);
    await db().orm.update(apiTokens).set({ revokedAt: null }).where(eq(apiTokens.role, 'viewer'));
  });

  it('records when a token was last used', async () => {
    await api.request('GET', '/api/systems');
    const [row] = await db().orm.select().from(apiTokens).where(eq(apiTokens.role, 'admin'));
    expect(row!.lastUsedAt).toBeInstanceOf(Date);
  });

  it('serves /health, /openapi.json and /docs without a token', async () => {
    for (const path of ['/health', '/openapi.json', '/docs']) {
      expect((await api.request('GET', path, { role: null })).status).toBe(200);
    }
  });
});
