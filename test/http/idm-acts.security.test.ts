import { beforeAll, expect, it } from 'vitest';
import { idmObjects, links, managedSystems } from '../../server/db/schema/index.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { describeEachDatabase } from '../helpers/databases.ts';

/** The acts by hand are admin only; reading the accounts needs a token; keys are text, not SQL. */
describeEachDatabase('IDM acts by hand and last-read accounts: security', (db) => {
  let api: TestApi;
  let user: string;
  let system: string;
  let link: string;
  beforeAll(async () => {
    api = await createTestApi(db());
    const [row] = await db().orm.insert(idmObjects).values({ type: 'User', name: 'ada' }).returning();
    user = row!.id;
    const [sys] = await db()
      .orm.insert(managedSystems)
      .values({ name: 'LDAP', type: 'ldap', uniqueFieldKey: 'dn', connection: {} })
      .returning();
    system = sys!.id;
    const [l] = await db()
      .orm.insert(links)
      .values({ systemId: system, objectType: 'User', accountKey: 'cn=ada', idmObjectId: user })
      .returning();
    link = l!.id;
  });

  it('lets only an admin act, and refuses without a token', async () => {
    const acts: Array<[string, string, unknown?]> = [
      ['POST', `/api/idm/users/${user}/disable`],
      ['POST', `/api/idm/users/${user}/enable`],
      ['POST', `/api/idm/users/${user}/links`, { systemId: system, accountKey: 'cn=x' }],
      ['DELETE', `/api/idm/users/${user}/links/${link}`],
    ];
    for (const [method, path, body] of acts) {
      expect((await api.request(method, path, { body, role: null })).status, path).toBe(401);
      for (const role of ['viewer', 'operator'] as const) {
        expect((await api.request(method, path, { body, role })).status, `${role} ${path}`).toBe(403);
      }
    }
    expect((await api.request('GET', `/api/systems/${system}/accounts`, { role: null })).status).toBe(401);
    expect((await api.request('GET', `/api/systems/${system}/accounts`, { role: 'viewer' })).status).toBe(
      200,
    );
    // Nothing was written by the refused acts.
    const detail = (await (
      await api.request('GET', `/api/idm/users/${user}`, { role: 'viewer' })
    ).json()) as {
      status: string;
      links: unknown[];
      history: unknown[];
    };
    expect(detail).toMatchObject({
      status: 'active',
      links: [expect.objectContaining({ id: link })],
      history: [],
    });
  });

  it('treats keys and searches as text', async () => {
    const key = "x'); delete from links; --";
    const res = await api.request('POST', `/api/idm/users/${user}/links`, {
      body: { systemId: system, accountKey: key },
    });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { accountKey: string }).accountKey).toBe(key);
    const list = await api.request(
      'GET',
      `/api/systems/${system}/accounts?q=${encodeURIComponent("' or '1'='1")}`,
    );
    expect(list.status).toBe(200);
    expect(((await list.json()) as { items: unknown[] }).items).toEqual([]);
    const rows = await db().orm.select().from(links);
    expect(rows).toHaveLength(2);
  });
});
