import { beforeAll, expect, it } from 'vitest';
import type { ErrorBody } from '../../server/http/errors.ts';
import type { SystemResponse } from '../../server/http/routes/systems/system-schema.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { describeEachDatabase } from '../helpers/databases.ts';

const valid = { name: 'HR', type: 'csv', uniqueFieldKey: 'id', connection: { path: '/tmp/hr.csv' } };

describeEachDatabase('managed systems: errors', (db) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await createTestApi(db());
  });

  const expectError = async (response: Response, status: number, code: string, message?: RegExp) => {
    expect(response.status).toBe(status);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.code).toBe(code);
    if (message) expect(body.error.message).toMatch(message);
    return body;
  };

  it.each([
    ['a missing name', { ...valid, name: undefined }, /name/],
    ['an empty name', { ...valid, name: '  ' }, /name/],
    ['an unknown type', { ...valid, type: 'nosql' }, /type/],
    ['a missing uniqueFieldKey', { ...valid, uniqueFieldKey: undefined }, /uniqueFieldKey/],
    ['a connection that is not an object', { ...valid, connection: 'path=/tmp' }, /connection/],
    ['a connection without its required path', { ...valid, connection: {} }, /connection\.path/],
    [
      'a bad connection field',
      { ...valid, connection: { path: '/x', delimiter: ';;' } },
      /connection\.delimiter/,
    ],
    ['an unknown connection field', { ...valid, connection: { path: '/x', nope: 1 } }, /connection/],
    ['an unknown top-level field', { ...valid, owner: 'me' }, /owner/],
    ['trusted as a string', { ...valid, trusted: 'yes' }, /trusted/],
  ])('rejects %s with 400 naming the field', async (_, body, message) => {
    await expectError(await api.request('POST', '/api/systems', { body }), 400, 'VALIDATION_FAILED', message);
  });

  it('rejects a body that is not JSON, or empty', async () => {
    await expectError(
      await api.request('POST', '/api/systems', { body: '{"name":' }),
      400,
      'BAD_REQUEST',
      /JSON/,
    );
    await expectError(
      await api.request('POST', '/api/systems', { body: '' }),
      400,
      'VALIDATION_FAILED',
      /empty/,
    );
    await expectError(await api.request('POST', '/api/systems', { body: '[]' }), 400, 'VALIDATION_FAILED');
  });

  it('answers 409 for a duplicate name, on create and on rename', async () => {
    expect((await api.request('POST', '/api/systems', { body: valid })).status).toBe(201);
    await expectError(await api.request('POST', '/api/systems', { body: valid }), 409, 'CONFLICT', /"HR"/);
    const other = await api.request('POST', '/api/systems', { body: { ...valid, name: 'Other' } });
    const { id } = (await other.json()) as SystemResponse;
    await expectError(
      await api.request('PATCH', `/api/systems/${id}`, { body: { name: 'HR' } }),
      409,
      'CONFLICT',
    );
  });

  it('answers 404 for an unknown system on every route', async () => {
    const id = '00000000-0000-0000-0000-000000000000';
    await expectError(await api.request('GET', `/api/systems/${id}`), 404, 'NOT_FOUND');
    await expectError(
      await api.request('PATCH', `/api/systems/${id}`, { body: { trusted: true } }),
      404,
      'NOT_FOUND',
    );
    await expectError(await api.request('DELETE', `/api/systems/${id}`), 404, 'NOT_FOUND');
    await expectError(await api.request('POST', `/api/systems/${id}/test`), 404, 'NOT_FOUND');
    await expectError(await api.request('POST', `/api/systems/${id}/file`, { body: 'a' }), 404, 'NOT_FOUND');
  });

  it('rejects a PATCH that breaks the connection, or changes the type', async () => {
    const created = await api.request('POST', '/api/systems', { body: { ...valid, name: 'patchme' } });
    const { id } = (await created.json()) as SystemResponse;
    await expectError(
      await api.request('PATCH', `/api/systems/${id}`, { body: { connection: { path: null } } }),
      400,
      'VALIDATION_FAILED',
      /connection\.path/,
    );
    await expectError(
      await api.request('PATCH', `/api/systems/${id}`, { body: { type: 'ldap' } }),
      400,
      'VALIDATION_FAILED',
      /type/,
    );
  });

  it('rejects an empty upload and a multipart form without a file part', async () => {
    const created = await api.request('POST', '/api/systems', { body: { ...valid, name: 'upload' } });
    const { id } = (await created.json()) as SystemResponse;
    const form = new FormData();
    form.set('other', 'x');
    const response = await api.app.request(`/api/systems/${id}/file`, {
      method: 'POST',
      headers: { authorization: `Bearer ${api.tokens.admin}` },
      body: form,
    });
    await expectError(response, 400, 'VALIDATION_FAILED', /file/);
    await expectError(
      await api.app.request(`/api/systems/${id}/file`, {
        method: 'POST',
        headers: { authorization: `Bearer ${api.tokens.admin}` },
      }),
      400,
      'VALIDATION_FAILED',
      /empty/,
    );
  });
});
