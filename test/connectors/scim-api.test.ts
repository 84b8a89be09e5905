import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.ts';
import { type ScimServer, startScimServer } from '../helpers/scim-server.ts';

describe('a SCIM system through the API', () => {
  let db: TestDatabase;
  let api: TestApi;
  let server: ScimServer;
  beforeAll(async () => {
    db = await createTestDatabase('pglite');
    api = await createTestApi(db);
    server = await startScimServer({ oauth: { clientId: 'trueup', clientSecret: 'client-secret-1' } });
    server.seedUsers([{ userName: 'api.user', active: true }]);
  });
  afterAll(async () => {
    await server?.close();
    await api?.services.close();
  });

  it('is created with its secrets masked, tested over OAuth, and described by GET /api/connector-types', async () => {
    const created = await api.request('POST', '/api/systems', {
      body: {
        name: 'SaaS app',
        type: 'scim',
        uniqueFieldKey: 'userName',
        connection: {
          baseUrl: server.baseUrl,
          auth: 'oauth',
          tokenUrl: server.tokenUrl,
          clientId: 'trueup',
          clientSecret: 'client-secret-1',
        },
      },
    });
    expect(created.status).toBe(201);
    const system = (await created.json()) as { id: string; connection: Record<string, unknown> };
    expect(system.connection).toMatchObject({ auth: 'oauth', clientId: 'trueup', clientSecret: '********' });
    expect(JSON.stringify(system)).not.toContain('client-secret-1');

    const tested = await api.request('POST', `/api/systems/${system.id}/test`);
    expect(await tested.json()).toMatchObject({
      ok: true,
      message: expect.stringContaining('1 Users'),
      details: { patch: true },
    });
    expect(server.tokensIssued()).toBe(1);

    const missing = await api.request('POST', '/api/systems', {
      body: {
        name: 'No token',
        type: 'scim',
        uniqueFieldKey: 'userName',
        connection: { baseUrl: server.baseUrl },
      },
    });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({
      error: { message: 'connection.token: is required with auth "bearer"' },
    });

    const types = (await (await api.request('GET', '/api/connector-types', { role: 'viewer' })).json()) as {
      items: Array<{ type: string; fields: Array<{ name: string; secret: boolean }> }>;
    };
    const scim = types.items.find((t) => t.type === 'scim');
    expect(scim?.fields.filter((f) => f.secret).map((f) => f.name)).toEqual(['token', 'clientSecret']);
  });
});
