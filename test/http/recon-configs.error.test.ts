import { beforeAll, describe, expect, it } from 'vitest';
import { reconConfigs } from '../../server/db/schema/index.ts';
import type { ErrorBody } from '../../server/http/errors.ts';
import type { ReconConfigResponse } from '../../server/http/routes/recon-configs/config-response.ts';
import type { SystemResponse } from '../../server/http/routes/systems/system-schema.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { describeEachDatabase } from '../helpers/databases.ts';

describeEachDatabase('reconciliation configs: errors', (db) => {
  let api: TestApi;
  let system: SystemResponse;
  beforeAll(async () => {
    api = await createTestApi(db());
    const response = await api.request('POST', '/api/systems', {
      body: { name: 'HR', type: 'csv', uniqueFieldKey: 'id', connection: { path: '/tmp/hr.csv' } },
    });
    system = (await response.json()) as SystemResponse;
  });

  const expect400 = async (response: Response, field: RegExp) => {
    expect(response.status).toBe(400);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.error.message).toMatch(field);
  };

  it.each([
    ['no objectType', {}, /objectType/],
    ['an unknown objectType', { objectType: 'Printer' }, /objectType/],
    ['a bad status', { objectType: 'User', status: 'paused' }, /status/],
    ['a bad frequency', { objectType: 'User', frequency: 'weekly' }, /frequency/],
    ['a 7-field cron', { objectType: 'User', frequency: '0 0 0 * * * *' }, /frequency.*5 or 6 fields/],
    ['an out-of-range cron', { objectType: 'User', frequency: '0 25 * * *' }, /frequency.*hour/],
    ['a bad timezone', { objectType: 'User', timezone: 'Mars/Olympus' }, /timezone/],
    ['an offset as timezone', { objectType: 'User', timezone: '+02:00' }, /timezone/],
    ['a bad email', { objectType: 'User', notificationEmail: 'not-an-email' }, /notificationEmail/],
    ['a bad reportFormat', { objectType: 'User', reportFormat: 'pdf' }, /reportFormat/],
    ['a policy path escaping', { objectType: 'User', matchingPolicy: '../etc/passwd' }, /matchingPolicy/],
    [
      'an absolute policy path',
      { objectType: 'User', preProcessorPolicy: '/etc/x.ts' },
      /preProcessorPolicy/,
    ],
    ['a bad updatedSince', { objectType: 'User', updatedSince: 'yesterday' }, /updatedSince/],
    ['a bad idmField', { objectType: 'User', idmField: 'password' }, /idmField/],
    [
      'both idmField and idmCustomAttribute',
      { objectType: 'User', idmField: 'email', idmCustomAttribute: 'x' },
      /idmCustomAttribute/,
    ],
    [
      'a bad sync direction',
      { objectType: 'User', attributeSync: { mail: { direction: 'up' } } },
      /attributeSync\.mail\.direction/,
    ],
    [
      'a confidence over 100',
      { objectType: 'User', attributeSync: { mail: { direction: 'both', confidence: 101 } } },
      /confidence/,
    ],
    [
      'a negative threshold',
      { objectType: 'User', deletionThreshold: { count: -1 } },
      /deletionThreshold\.count/,
    ],
    [
      'a percent over 100',
      { objectType: 'User', deletionThreshold: { percent: 150 } },
      /deletionThreshold\.percent/,
    ],
    ['an unknown threshold field', { objectType: 'User', deletionThreshold: { ratio: 1 } }, /ratio/],
    ['fractional staleDays', { objectType: 'User', staleDays: 1.5 }, /staleDays/],
    [
      'an unknown situation',
      { objectType: 'User', situations: { SOMETIMES: { response: 'DO_NOTHING' } } },
      /SOMETIMES/,
    ],
    [
      'an unknown response',
      { objectType: 'User', situations: { DISPUTED: { response: 'PANIC' } } },
      /situations\.DISPUTED\.response/,
    ],
    [
      'DISPUTED resolved automatically',
      { objectType: 'User', situations: { DISPUTED: { response: 'ADD_TO_IDM' } } },
      /DISPUTED.*DO_NOTHING/,
    ],
    ['an unknown field', { objectType: 'User', schedule: 'daily' }, /schedule/],
    [
      'an IDM filter the engine cannot read',
      { objectType: 'User', idmSearchFilter: { dept: { $regex: 'x' } } },
      /idmSearchFilter/,
    ],
    [
      'an empty entitlementAttribute',
      { objectType: 'Group', entitlementAttribute: ' ' },
      /entitlementAttribute/,
    ],
    [
      'an entitlementAttribute the policy map leaves unread',
      { objectType: 'Group', entitlementAttribute: 'members', policyMap: ['name'] },
      /entitlementAttribute: "members" is not in policyMap/,
    ],
  ])('rejects %s with 400 naming the field', async (_, body, field) => {
    await expect400(await api.request('POST', `/api/systems/${system.id}/recon-configs`, { body }), field);
  });

  it('answers 404 for an unknown system or config', async () => {
    const id = '00000000-0000-0000-0000-000000000000';
    expect(
      (await api.request('POST', `/api/systems/${id}/recon-configs`, { body: { objectType: 'User' } }))
        .status,
    ).toBe(404);
    expect((await api.request('GET', `/api/recon-configs/${id}`)).status).toBe(404);
    expect(
      (await api.request('PATCH', `/api/recon-configs/${id}`, { body: { status: 'inactive' } })).status,
    ).toBe(404);
    expect((await api.request('DELETE', `/api/recon-configs/${id}`)).status).toBe(404);
  });

  it('checks a PATCH against the stored config too', async () => {
    const created = (await (
      await api.request('POST', `/api/systems/${system.id}/recon-configs`, {
        body: { objectType: 'User', idmField: 'email' },
      })
    ).json()) as ReconConfigResponse;
    await expect400(
      await api.request('PATCH', `/api/recon-configs/${created.id}`, {
        body: { idmCustomAttribute: 'badge' },
      }),
      /idmCustomAttribute/,
    );
    await expect400(
      await api.request('PATCH', `/api/recon-configs/${created.id}`, {
        body: { situations: { DISPUTED: { response: 'DELETE_FROM_IDM' } } },
      }),
      /DISPUTED/,
    );
    await expect400(await api.request('GET', '/api/recon-configs?systemId=x&extra=1'), /extra/);
  });

  describe('entitlementAttribute against the system type', () => {
    const systemOf = async (body: object) =>
      (await (await api.request('POST', '/api/systems', { body })).json()) as SystemResponse;
    let ldap: SystemResponse;
    let scim: SystemResponse;
    beforeAll(async () => {
      ldap = await systemOf({
        name: 'Directory',
        type: 'ldap',
        uniqueFieldKey: 'dn',
        connection: {
          url: 'ldap://127.0.0.1:1',
          baseDn: 'dc=example,dc=test',
          referenceAttributes: ['memberOf'],
        },
      });
      scim = await systemOf({
        name: 'SaaS groups',
        type: 'scim',
        uniqueFieldKey: 'displayName',
        connection: { baseUrl: 'https://saas.example.test/scim/v2', resourceType: 'Group', token: 't' },
      });
    });
    const create = (systemId: string, body: object) =>
      api.request('POST', `/api/systems/${systemId}/recon-configs`, { body });

    it("refuses a group member attribute that LDAP gives as DNs, or that is not SCIM's members", async () => {
      await expect400(
        await create(ldap.id, { objectType: 'Group', entitlementAttribute: 'member' }),
        /entitlementAttribute: LDAP system "Directory" gives "member" as DNs.*referenceAttributes/,
      );
      await expect400(
        await create(scim.id, { objectType: 'Group', entitlementAttribute: 'member' }),
        /entitlementAttribute: a SCIM group lists its members' ids in "members"/,
      );
      expect((await create(scim.id, { objectType: 'Group', entitlementAttribute: 'members' })).status).toBe(
        201,
      );
      // An account's groups may be raw DNs: a User config keeps them as entitlements.
      expect(
        (await create(ldap.id, { objectType: 'User', entitlementAttribute: 'description' })).status,
      ).toBe(201);
    });

    it('checks a PATCH that touches how memberships are read, not one that only switches a config off', async () => {
      const response = await create(ldap.id, { objectType: 'User', entitlementAttribute: 'memberOf' });
      const config = (await response.json()) as ReconConfigResponse;
      const patch = (body: object) => api.request('PATCH', `/api/recon-configs/${config.id}`, { body });
      await expect400(
        await patch({ objectType: 'Role', entitlementAttribute: 'member' }),
        /referenceAttributes/,
      );
      await expect400(
        await patch({ policyMap: ['cn'] }),
        /entitlementAttribute: "memberOf" is not in policyMap/,
      );
      const role = await patch({ objectType: 'Role' });
      expect(role.status).toBe(200);
      expect(((await role.json()) as ReconConfigResponse).entitlementAttribute).toBe('memberOf');
      // A Group config stored before the rule (as the demo seed and older servers wrote them).
      const [legacy] = await db()
        .orm.insert(reconConfigs)
        .values({ systemId: ldap.id, objectType: 'Group', entitlementAttribute: 'member' })
        .returning();
      const patchLegacy = (body: object) =>
        api.request('PATCH', `/api/recon-configs/${legacy?.id}`, { body });
      expect((await patchLegacy({ status: 'inactive' })).status).toBe(200);
      await expect400(await patchLegacy({ policyMap: ['cn', 'member'] }), /referenceAttributes/);
      const cleared = await patch({ entitlementAttribute: null, policyMap: ['cn'] });
      expect(((await cleared.json()) as ReconConfigResponse).entitlementAttribute).toBeNull();
    });
  });
});
