import { beforeAll, expect, it } from 'vitest';
import { idmObjects } from '../../server/db/schema/index.ts';
import type { ListIdmResponse } from '../../server/http/routes/idm/list-idm-objects.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { describeEachDatabase } from '../helpers/databases.ts';

describeEachDatabase('IDM read API: security', (db) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await createTestApi(db());
    await db()
      .orm.insert(idmObjects)
      .values([
        { type: 'User', name: 'alice', login: 'alice', attributes: { secretLevel: 'high' } },
        { type: 'User', name: 'bob', login: 'bob', attributes: { secretLevel: 'low' } },
      ]);
  });

  const count = async (path: string) => {
    const response = await api.request('GET', path);
    expect(response.status, path).toBe(200);
    return ((await response.json()) as ListIdmResponse).items.length;
  };

  it('needs a token, and is read-only', async () => {
    for (const path of ['/api/idm/users', '/api/idm/groups', '/api/idm/users/x']) {
      expect((await api.request('GET', path, { role: null })).status).toBe(401);
    }
    expect((await api.request('POST', '/api/idm/users', { body: { name: 'mallory' } })).status).toBe(404);
    expect((await api.request('DELETE', '/api/idm/users/x')).status).toBe(404);
  });

  it('treats SQL and LIKE metacharacters as text', async () => {
    expect(await count(`/api/idm/users?q=${encodeURIComponent("' or '1'='1")}`)).toBe(0);
    expect(await count('/api/idm/users?q=%25')).toBe(0);
    expect(await count('/api/idm/users?q=_')).toBe(0);
    expect(await count(`/api/idm/users?attribute.secretLevel=${encodeURIComponent("x' or '1'='1")}`)).toBe(0);
    expect(await count(`/api/idm/users?attribute.secretLevel=${encodeURIComponent('"}, "a": {"')}`)).toBe(0);
    expect(await count('/api/idm/users?attribute.secretLevel=high')).toBe(1);
  });
});
