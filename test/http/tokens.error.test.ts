import { beforeAll, expect, it } from 'vitest';
import type { ErrorBody } from '../../server/http/errors.ts';
import type { CreateTokenResponse } from '../../server/http/routes/tokens/create-token.ts';
import type { ListTokensResponse } from '../../server/http/routes/tokens/list-tokens.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { describeEachDatabase } from '../helpers/databases.ts';

describeEachDatabase('API tokens: errors', (db) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await createTestApi(db());
  });

  it.each([
    [{ role: 'viewer' }, /^name: /],
    [{ name: 'x' }, /^role: /],
    [{ name: 'x', role: 'root' }, /^role: /],
    [{ name: '   ', role: 'viewer' }, /^name: must not be blank/],
    [{ name: 'x'.repeat(101), role: 'viewer' }, /^name: /],
    [{ name: 'tab\there', role: 'viewer' }, /^name: must not hold control characters/],
    [{ name: 'x', role: 'viewer', token: 'tu_chosen' }, /token/],
  ])('refuses a bad new token %j with 400 naming the field', async (body, message) => {
    const res = await api.request('POST', '/api/tokens', { body });
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error.message).toMatch(message);
  });

  it('answers 404 for an unknown token and 409 for one revoked already', async () => {
    expect((await api.request('DELETE', '/api/tokens/no-such-token')).status).toBe(404);
    const created = (await (
      await api.request('POST', '/api/tokens', { body: { name: 'twice', role: 'viewer' } })
    ).json()) as CreateTokenResponse;
    expect((await api.request('DELETE', `/api/tokens/${created.id}`)).status).toBe(200);
    const again = await api.request('DELETE', `/api/tokens/${created.id}`);
    expect(again.status).toBe(409);
    expect(((await again.json()) as ErrorBody).error.details).toEqual({ reason: 'already_revoked' });
  });

  it('keeps the last live admin token: revoking it is 409 last_admin', async () => {
    const listed = (await (await api.request('GET', '/api/tokens')).json()) as ListTokensResponse;
    const admins = listed.items.filter((t) => t.role === 'admin' && !t.revokedAt);
    expect(admins.map((t) => t.name)).toEqual(['test-admin']);
    const res = await api.request('DELETE', `/api/tokens/${admins[0]!.id}`);
    expect(res.status).toBe(409);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.details).toEqual({ reason: 'last_admin' });
    expect(body.error.message).toMatch(/last live admin token/);
    expect((await api.request('GET', '/api/tokens')).status).toBe(200);
  });
});
