import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../server/auth/issue-token.ts';
import { apiTokens } from '../../server/db/schema/index.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { createTestDatabase } from '../helpers/databases.ts';

/**
 * The console's sign-in contract (docs/api.md "The web console") checked in-process with app.request:
 * the session cookie, CSRF on every form, and roles enforced on POST whatever the page shows.
 */
describe('console sign-in, sessions and CSRF', () => {
  let api: TestApi;

  const cookieOf = (response: Response) => response.headers.get('set-cookie')?.split(';')[0] ?? '';
  const csrfOf = async (response: Response) =>
    /name="_csrf" value="([^"]+)"/.exec(await response.text())?.[1] ?? '';
  const form = (fields: Record<string, string>) => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });

  /** Signs in with `token`; returns the session cookie and a page's CSRF token. */
  const signIn = async (token: string) => {
    const first = await api.app.request('/signin');
    const anonymous = cookieOf(first);
    const signedIn = await api.app.request('/signin', {
      ...form({ _csrf: await csrfOf(first), token, next: '/systems' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: anonymous },
    });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('/systems');
    const cookie = cookieOf(signedIn);
    const page = await api.app.request('/systems', { headers: { cookie } });
    return { cookie, csrf: await csrfOf(page), header: signedIn.headers.get('set-cookie') ?? '' };
  };

  beforeAll(async () => {
    api = await createTestApi(await createTestDatabase('pglite'));
  });
  afterAll(() => api.services.close());

  it('sends a request without a session to the sign-in page, keeping where it was going', async () => {
    const response = await api.app.request('/runs?status=failed');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/signin?next=%2Fruns%3Fstatus%3Dfailed');
  });

  it('sets an HttpOnly, SameSite=Strict cookie that holds neither the token nor anything readable', async () => {
    const { header } = await signIn(api.tokens.admin);
    expect(header).toMatch(/HttpOnly/);
    expect(header).toMatch(/SameSite=Strict/);
    expect(header).not.toContain(api.tokens.admin);
    expect(header).not.toMatch(/admin|tokenId/);
  });

  it('refuses a sign-in without the form’s CSRF token, and an unknown token', async () => {
    const first = await api.app.request('/signin');
    const cookie = cookieOf(first);
    const headers = { 'content-type': 'application/x-www-form-urlencoded', cookie };
    const noCsrf = await api.app.request('/signin', { ...form({ token: api.tokens.admin }), headers });
    expect(noCsrf.status).toBe(403);
    const unknown = await api.app.request('/signin', {
      ...form({ _csrf: await csrfOf(first), token: 'tu_nope' }),
      headers,
    });
    expect(unknown.status).toBe(401);
    expect(await unknown.text()).toContain('That token is unknown or revoked.');
  });

  it('never redirects outside the console after sign-in', async () => {
    const first = await api.app.request('/signin');
    const response = await api.app.request('/signin', {
      ...form({ _csrf: await csrfOf(first), token: api.tokens.viewer, next: '//evil.example/x' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieOf(first) },
    });
    expect(response.headers.get('location')).toBe('/');
  });

  it('refuses a POST with a missing or wrong CSRF token, even from an admin', async () => {
    const { cookie } = await signIn(api.tokens.admin);
    const headers = { 'content-type': 'application/x-www-form-urlencoded', cookie };
    const fields = { name: 'X', type: 'csv', uniqueFieldKey: 'k', 'connection.path': '/tmp/x.csv' };
    expect((await api.app.request('/systems', { ...form(fields), headers })).status).toBe(403);
    expect(
      (await api.app.request('/systems', { ...form({ ...fields, _csrf: 'forged' }), headers })).status,
    ).toBe(403);
    expect(await api.services.systems.list()).toEqual([]);
  });

  it('refuses every write from a viewer’s session that carries a valid CSRF token', async () => {
    const { cookie, csrf } = await signIn(api.tokens.viewer);
    const headers = { 'content-type': 'application/x-www-form-urlencoded', cookie };
    const writes: Array<[string, Record<string, string>]> = [
      ['/systems', { name: 'X', type: 'csv', uniqueFieldKey: 'k', 'connection.path': '/tmp/x.csv' }],
      ['/systems/any/test', {}],
      ['/policies', { path: 'x.ts', source: 'export default 1;' }],
      ['/policies/sample', { path: 'x.ts', input: '{}' }],
      ['/configs/any', { name: 'x' }],
      ['/configs/any/runs', { dryRun: 'true' }],
      ['/runs/any/apply', { planHash: 'x' }],
      ['/disputes/any/resolve', { dismiss: 'true' }],
      ['/runs/any/cancel', {}],
      ['/tokens', { name: 'x', role: 'admin' }],
      ['/tokens/any/revoke', {}],
    ];
    for (const [url, fields] of writes) {
      const response = await api.app.request(url, { ...form({ ...fields, _csrf: csrf }), headers });
      expect(response.status, url).toBe(403);
    }
    expect(await api.services.systems.list()).toEqual([]);
    expect((await api.services.tokens.list()).map((t) => t.name)).not.toContain('x');
  });

  it('shows the Tokens page to admins only, like the API', async () => {
    for (const role of ['viewer', 'operator'] as const) {
      const { cookie } = await signIn(api.tokens[role]);
      const page = await api.app.request('/tokens', { headers: { cookie } });
      expect(page.status, role).toBe(403);
      const home = await (await api.app.request('/', { headers: { cookie } })).text();
      expect(home, role).not.toContain('href="/tokens"');
    }
    const { cookie } = await signIn(api.tokens.admin);
    expect((await api.app.request('/tokens', { headers: { cookie } })).status).toBe(200);
  });

  it('ends the session at sign-out, and at once when its token is revoked', async () => {
    const { cookie, csrf } = await signIn(api.tokens.admin);
    const out = await api.app.request('/signout', {
      ...form({ _csrf: csrf }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    });
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toMatch(/trueup_session=;/);
    const tampered = await api.app.request('/', { headers: { cookie: `${cookie.slice(0, -4)}AAAA` } });
    expect(tampered.status).toBe(303);

    const issued = await issueToken(api.services.db, 'operator', 'soon-revoked');
    const session = await signIn(issued.token);
    expect((await api.app.request('/', { headers: { cookie: session.cookie } })).status).toBe(200);
    await api.services.db.orm
      .update(apiTokens)
      .set({ revokedAt: new Date() })
      .where(eq(apiTokens.id, issued.id));
    expect((await api.app.request('/', { headers: { cookie: session.cookie } })).status).toBe(303);
  });

  it('serves its own CSS and script, and sends pages with no-store and a strict CSP', async () => {
    const css = await api.app.request('/assets/console.css');
    expect(css.headers.get('content-type')).toMatch(/text\/css/);
    const { cookie } = await signIn(api.tokens.admin);
    const page = await api.app.request('/', { headers: { cookie } });
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(await page.text()).toMatch(/<title>Dashboard · trueup<\/title>/);
  });
});
