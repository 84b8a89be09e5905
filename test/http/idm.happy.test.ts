import { beforeAll, expect, it } from 'vitest';
import {
  entitlements,
  idmMemberships,
  idmObjects,
  links,
  managedSystems,
} from '../../server/db/schema/index.ts';
import type { IdmDetailResponse } from '../../server/http/routes/idm/get-idm-object.ts';
import type { ListIdmResponse } from '../../server/http/routes/idm/list-idm-objects.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { describeEachDatabase } from '../helpers/databases.ts';

describeEachDatabase('IDM read API: happy paths', (db) => {
  let api: TestApi;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    api = await createTestApi(db());
    const [system] = await db()
      .orm.insert(managedSystems)
      .values({ name: 'LDAP', type: 'ldap', uniqueFieldKey: 'dn', connection: {} })
      .returning();
    const rows = await db()
      .orm.insert(idmObjects)
      .values([
        {
          type: 'User',
          name: 'Ada Lovelace',
          login: 'ada',
          email: 'Ada@Example.com',
          employeeId: 'E1',
          attributes: { department: 'R&D', badges: ['b1', 'b2'] },
        },
        {
          type: 'User',
          name: 'Alan Turing',
          login: 'alan',
          email: 'alan@example.com',
          employeeId: 'E2',
          attributes: { department: 'Crypto' },
        },
        {
          type: 'User',
          name: 'Grace Hopper',
          login: 'grace',
          email: 'grace@example.com',
          status: 'disabled',
          attributes: { department: 'R&D' },
        },
        { type: 'Group', name: 'engineers', attributes: {} },
        { type: 'Role', name: 'auditor', attributes: {} },
        { type: 'Organization', name: 'ACME', attributes: {} },
      ])
      .returning();
    for (const row of rows) ids[row.name] = row.id;
    await db()
      .orm.insert(idmMemberships)
      .values([
        { memberId: ids['Ada Lovelace']!, targetId: ids.engineers!, systemId: system!.id },
        { memberId: ids['Ada Lovelace']!, targetId: ids.ACME! },
        { memberId: ids['Alan Turing']!, targetId: ids.engineers!, systemId: system!.id },
      ]);
    await db().orm.insert(links).values({
      systemId: system!.id,
      objectType: 'User',
      accountKey: 'uid=ada,ou=people,dc=example,dc=test',
      idmObjectId: ids['Ada Lovelace']!,
    });
    await db().orm.insert(entitlements).values({
      systemId: system!.id,
      accountKey: 'uid=ada,ou=people,dc=example,dc=test',
      idmObjectId: ids['Ada Lovelace']!,
      value: 'cn=engineers,ou=groups,dc=example,dc=test',
    });
  });

  const names = async (path: string) => {
    const response = await api.request('GET', path, { role: 'viewer' });
    expect(response.status, path).toBe(200);
    return ((await response.json()) as ListIdmResponse).items.map((o) => o.name);
  };

  it('lists each object type by name', async () => {
    expect(await names('/api/idm/users')).toEqual(['Ada Lovelace', 'Alan Turing', 'Grace Hopper']);
    expect(await names('/api/idm/groups')).toEqual(['engineers']);
    expect(await names('/api/idm/roles')).toEqual(['auditor']);
    expect(await names('/api/idm/organizations')).toEqual(['ACME']);
  });

  it('filters by status, prefix and attributes', async () => {
    expect(await names('/api/idm/users?status=disabled')).toEqual(['Grace Hopper']);
    expect(await names('/api/idm/users?q=al')).toEqual(['Alan Turing']);
    expect(await names('/api/idm/users?q=ADA%40EX')).toEqual(['Ada Lovelace']);
    expect(await names('/api/idm/users?q=gra')).toEqual(['Grace Hopper']);
    expect(await names(`/api/idm/users?attribute.department=${encodeURIComponent('R&D')}`)).toEqual([
      'Ada Lovelace',
      'Grace Hopper',
    ]);
    expect(
      await names(`/api/idm/users?attribute.department=${encodeURIComponent('R&D')}&status=active`),
    ).toEqual(['Ada Lovelace']);
    expect(await names('/api/idm/users?attribute.badges=b2')).toEqual(['Ada Lovelace']);
    expect(await names('/api/idm/users?attribute.employeeId=E2')).toEqual(['Alan Turing']);
  });

  it('pages with a cursor', async () => {
    const first = (await (await api.request('GET', '/api/idm/users?limit=2')).json()) as ListIdmResponse;
    expect(first.items.map((o) => o.name)).toEqual(['Ada Lovelace', 'Alan Turing']);
    expect(await names(`/api/idm/users?limit=2&cursor=${first.nextCursor}`)).toEqual(['Grace Hopper']);
  });

  it('shows a user with memberships, links and entitlements', async () => {
    const response = await api.request('GET', `/api/idm/users/${ids['Ada Lovelace']}`, { role: 'viewer' });
    expect(response.status).toBe(200);
    const user = (await response.json()) as IdmDetailResponse;
    expect(user).toMatchObject({
      name: 'Ada Lovelace',
      login: 'ada',
      employeeId: 'E1',
      attributes: { department: 'R&D' },
    });
    expect(user.memberOf.map((m) => [m.type, m.name])).toEqual([
      ['Group', 'engineers'],
      ['Organization', 'ACME'],
    ]);
    expect(user.links).toEqual([
      expect.objectContaining({
        systemName: 'LDAP',
        accountKey: 'uid=ada,ou=people,dc=example,dc=test',
        status: 'active',
      }),
    ]);
    expect(user.entitlements.map((e) => e.value)).toEqual(['cn=engineers,ou=groups,dc=example,dc=test']);
  });

  it('shows a group with its members', async () => {
    const response = await api.request('GET', `/api/idm/groups/${ids.engineers}`);
    const group = (await response.json()) as IdmDetailResponse;
    expect(group.members.map((m) => m.name)).toEqual(['Ada Lovelace', 'Alan Turing']);
  });

  it('does not show a group through the users route', async () => {
    expect((await api.request('GET', `/api/idm/users/${ids.engineers}`)).status).toBe(404);
  });
});
