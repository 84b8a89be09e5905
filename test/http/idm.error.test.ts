import { beforeAll, expect, it } from 'vitest';
import type { ErrorBody } from '../../server/http/errors.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { describeEachDatabase } from '../helpers/databases.ts';

describeEachDatabase('IDM read API: errors', (db) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await createTestApi(db());
  });

  it.each([
    ['/api/idm/users?status=gone', /status/],
    ['/api/idm/users?limit=0', /limit/],
    ['/api/idm/groups?cursor=xyz', /cursor/],
    ['/api/idm/roles?name=x', /name/],
    ['/api/idm/users?q=', /q/],
    ['/api/idm/users?attribute.=x', /attribute\./],
    [`/api/idm/users?${encodeURIComponent('attribute.a b')}=x`, /attribute\.a b/],
  ])('rejects %s with 400 naming the parameter', async (path, message) => {
    const response = await api.request('GET', path);
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorBody).error.message).toMatch(message);
  });

  it('rejects more than 20 attribute filters', async () => {
    const query = Array.from({ length: 21 }, (_, i) => `attribute.a${i}=1`).join('&');
    expect((await api.request('GET', `/api/idm/users?${query}`)).status).toBe(400);
  });

  it('answers 404 for an unknown object or collection', async () => {
    expect((await api.request('GET', '/api/idm/users/00000000-0000-0000-0000-000000000000')).status).toBe(
      404,
    );
    expect((await api.request('GET', '/api/idm/printers')).status).toBe(404);
  });
});
