import { beforeAll, expect, it } from 'vitest';
import { idmObjects, managedSystems } from '../../server/db/schema/index.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { describeEachDatabase } from '../helpers/databases.ts';

/** Bad input to the IDM acts and the accounts list: a clear 4xx naming the problem, nothing written. */
describeEachDatabase('IDM acts by hand and last-read accounts: errors', (db) => {
  let api: TestApi;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    api = await createTestApi(db());
    const rows = await db()
      .orm.insert(idmObjects)
      .values([
        { type: 'User', name: 'ada', status: 'active' },
        { type: 'User', name: 'bob', status: 'active' },
        { type: 'User', name: 'gone', status: 'deleted' },
        { type: 'Group', name: 'staff' },
      ])
      .returning();
    for (const row of rows) ids[row.name] = row.id;
    const [system] = await db()
      .orm.insert(managedSystems)
      .values({ name: 'LDAP', type: 'ldap', uniqueFieldKey: 'dn', connection: {} })
      .returning();
    ids.system = system!.id;
  });

  const expectError = async (
    method: string,
    path: string,
    status: number,
    message: RegExp,
    body?: unknown,
  ) => {
    const res = await api.request(method, path, { body });
    expect(res.status, `${method} ${path}`).toBe(status);
    const { error } = (await res.json()) as { error: { message: string } };
    expect(error.message).toMatch(message);
  };

  it('answers 404 for an unknown object, or an object of another type', async () => {
    await expectError('POST', '/api/idm/users/nope/disable', 404, /no IDM user with id "nope"/);
    await expectError('POST', `/api/idm/users/${ids.staff}/disable`, 404, /no IDM user/);
    await expectError('POST', `/api/idm/groups/${ids.ada}/enable`, 404, /no IDM group/);
    await expectError('DELETE', `/api/idm/users/${ids.ada}/links/nope`, 404, /has no link with id "nope"/);
    await expectError('GET', '/api/systems/nope/accounts', 404, /no managed system with id "nope"/);
  });

  it('answers 409 for an act that would change nothing, or on a deleted object', async () => {
    await expectError('POST', `/api/idm/users/${ids.ada}/enable`, 409, /is active already/);
    await expectError('POST', `/api/idm/users/${ids.gone}/enable`, 409, /is deleted/);
    await expectError('POST', `/api/idm/users/${ids.gone}/links`, 409, /is deleted/, {
      systemId: ids.system,
      accountKey: 'cn=x',
    });
  });

  it('refuses a link to an unknown system, an empty key, extra fields, and an account linked already', async () => {
    await expectError('POST', `/api/idm/users/${ids.ada}/links`, 400, /systemId: no managed system/, {
      systemId: 'nope',
      accountKey: 'cn=ada',
    });
    await expectError('POST', `/api/idm/users/${ids.ada}/links`, 400, /accountKey/, {
      systemId: ids.system,
      accountKey: '  ',
    });
    await expectError('POST', `/api/idm/users/${ids.ada}/links`, 400, /extra|unrecognized/i, {
      systemId: ids.system,
      accountKey: 'cn=ada',
      idmObjectId: ids.bob,
    });
    expect(
      (
        await api.request('POST', `/api/idm/users/${ids.ada}/links`, {
          body: { systemId: ids.system, accountKey: 'cn=ada' },
        })
      ).status,
    ).toBe(201);
    await expectError('POST', `/api/idm/users/${ids.bob}/links`, 409, /linked already .*unlink it first/, {
      systemId: ids.system,
      accountKey: 'cn=ada',
    });
    const bob = (await (await api.request('GET', `/api/idm/users/${ids.bob}`)).json()) as {
      links: unknown[];
      history: unknown[];
    };
    expect(bob).toMatchObject({ links: [], history: [] });
  });

  it('refuses bad account-list queries', async () => {
    await expectError('GET', `/api/systems/${ids.system}/accounts?state=lost`, 400, /state/);
    await expectError('GET', `/api/systems/${ids.system}/accounts?cursor=xyz`, 400, /not a cursor/);
    await expectError('GET', `/api/systems/${ids.system}/accounts?limit=0`, 400, /limit/);
    await expectError('GET', `/api/systems/${ids.system}/accounts?sort=key`, 400, /sort/);
  });
});
