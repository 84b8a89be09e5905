import { sql } from 'drizzle-orm';
import { Attribute, Change, Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IdmDetailResponse } from '../../server/http/routes/idm/get-idm-object.ts';
import type { ListIdmResponse } from '../../server/http/routes/idm/list-idm-objects.ts';
import type { ReconConfigResponse } from '../../server/http/routes/recon-configs/config-response.ts';
import type { SystemResponse } from '../../server/http/routes/systems/system-schema.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import {
  baseLdif,
  rootDn,
  rootPassword,
  type Slapd,
  slapdAvailable,
  startSlapd,
  suffix,
} from '../helpers/slapd.ts';

/**
 * Issue 15 §4, driven only through the HTTP contract: a Group config created with
 * `POST /api/systems/:id/recon-configs` over slapd gets its members. The group `eng` lists two
 * people (one whose DN has spaces, written with spaces after its commas too), a nested group, and
 * an `applicationProcess` entry that no config reads: that one can never be an IDM membership,
 * and must not make the group be rewritten on every run.
 */
const person = (rdn: string, uid: string, number: string) =>
  [
    `dn: ${rdn},ou=people,${suffix}`,
    'objectClass: inetOrgPerson',
    `uid: ${uid}`,
    `cn: ${rdn.split('=')[1]}`,
    `sn: ${uid}`,
    `employeeNumber: ${number}`,
  ].join('\n');
const ann = `uid=ann,ou=people,${suffix}`;
const bob = `uid=bob,ou=people,${suffix}`;
const dan = `uid=dan,ou=people,${suffix}`;
const carla = `cn=Carla Diaz, ou=people, dc=example, dc=test`;
const agent = `cn=backup agent,ou=services,${suffix}`;
const bots = `cn=Build Bots,ou=groups,${suffix}`;
const eng = `cn=eng,ou=groups,${suffix}`;
/** How the IDM names an account of this system: its normalised DN (`uniqueFieldKey: dn`). */
const key = (dn: string) => dn.replace(/,\s+/g, ',').toLowerCase();

const seed = [
  baseLdif,
  person('uid=ann', 'ann', 'E1'),
  person('uid=bob', 'bob', 'E2'),
  person('cn=Carla Diaz', 'carla', 'E3'),
  `dn: ou=services,${suffix}\nobjectClass: organizationalUnit\nou: services`,
  `dn: ${agent}\nobjectClass: applicationProcess\ncn: backup agent`,
  `dn: ${bots}\nobjectClass: groupOfNames\ncn: Build Bots\nmember: ${bob}`,
  `dn: ${eng}\nobjectClass: groupOfNames\ncn: eng\n${[ann, carla, agent, bots].map((m) => `member: ${m}`).join('\n')}`,
].join('\n\n');

describeEachDatabase('groups through the API', (db) => {
  describe.runIf(slapdAvailable())('over OpenLDAP slapd', () => {
    let slapd: Slapd;
    let api: TestApi;
    let system: SystemResponse;
    let users: ReconConfigResponse;
    let groups: ReconConfigResponse;

    const json = <T>(method: string, url: string, body?: unknown) => api.json<T>(method, url, body);
    const run = (config: ReconConfigResponse) => api.runToEnd(config.id);
    type Event = {
      objectKey: string;
      outcome: string;
      diff: Record<string, { before: unknown; after: unknown }>;
    };
    const applied = async (runId: string) =>
      (await json<{ items: Event[] }>('GET', `/api/runs/${runId}/events?outcome=applied`)).items;
    const group = async (cn: string) => {
      const page = await json<ListIdmResponse>(
        'GET',
        `/api/idm/groups?attribute.cn=${encodeURIComponent(cn)}`,
      );
      expect(page.items, `IDM group ${cn}`).toHaveLength(1);
      return json<IdmDetailResponse>('GET', `/api/idm/groups/${page.items[0]?.id}`);
    };
    /** The group's members as the IDM holds them: people by employee id, groups by cn. */
    const members = async (cn: string) => {
      const names = await Promise.all(
        (await group(cn)).members.map(async (m) =>
          m.type === 'User'
            ? m.name
            : `group:${(await json<IdmDetailResponse>('GET', `/api/idm/groups/${m.id}`)).attributes.cn}`,
        ),
      );
      return names.sort();
    };
    const versions = async () =>
      db().rows<{ id: string; version: number }>(sql`select id, version from idm_objects order by id`);
    const modifyMembers = async (dn: string, operation: 'add' | 'delete', values: string[]) => {
      const client = new Client({ url: slapd.url });
      try {
        await client.bind(rootDn, rootPassword);
        await client.modify(dn, [
          new Change({ operation, modification: new Attribute({ type: 'member', values }) }),
        ]);
      } finally {
        await client.unbind();
      }
    };

    beforeAll(async () => {
      slapd = await startSlapd(seed);
      api = await createTestApi(db());
      system = await json<SystemResponse>('POST', '/api/systems', {
        name: 'Directory',
        type: 'ldap',
        trusted: true,
        uniqueFieldKey: 'dn',
        connection: {
          url: slapd.url,
          bindDn: rootDn,
          bindPassword: rootPassword,
          baseDn: suffix,
          referenceAttributes: ['member'],
        },
      });
      const situations = {
        IDM_NOT_EXISTS__RESOURCE_EXISTS: { response: 'ADD_TO_IDM' },
        IDM_EXISTS__RESOURCE_EXISTS: { response: 'UPDATE_IDM_FROM_RESOURCE' },
      };
      users = await json<ReconConfigResponse>('POST', `/api/systems/${system.id}/recon-configs`, {
        name: 'people',
        objectType: 'User',
        targetSearchFilter: '(objectClass=inetOrgPerson)',
        sourceAttributeName: 'employeeNumber',
        idmField: 'employeeId',
        policyMap: ['employeeNumber', 'uid'],
        // The IDM user's name is its employee id: members read as E1, E2…
        attributeSync: { uid: { direction: 'none' } },
        situations,
      });
      groups = await json<ReconConfigResponse>('POST', `/api/systems/${system.id}/recon-configs`, {
        name: 'groups',
        objectType: 'Group',
        targetSearchFilter: '(objectClass=groupOfNames)',
        entitlementAttribute: 'member',
        policyMap: ['cn', 'member'],
        situations,
      });
    });
    afterAll(async () => {
      await slapd?.stop();
    });

    it('a Group config created through the API gets its members, and a second run writes nothing', async () => {
      expect(groups.entitlementAttribute).toBe('member');
      expect(
        (await json<ReconConfigResponse>('GET', `/api/recon-configs/${groups.id}`)).entitlementAttribute,
      ).toBe('member');
      expect((await run(users)).counts.responses).toEqual({ ADD_TO_IDM: 3 });
      const first = await run(groups);
      expect(first.status).toBe('succeeded');
      expect(first.counts.responses).toEqual({ ADD_TO_IDM: 2 });

      expect(await members('eng')).toEqual(['E1', 'E3', 'group:Build Bots'].sort());
      expect(await members('Build Bots')).toEqual(['E2']);
      // The applicationProcess entry is no membership, but the IDM keeps it as the directory listed it.
      const detail = await group('eng');
      expect(detail.entitlements.map((e) => e.value).sort()).toEqual(
        [ann, carla, agent, bots].map(key).sort(),
      );
      const created = (await applied(first.id)).find((e) => e.objectKey === key(eng));
      expect(created?.diff.member).toEqual({
        before: null,
        after: [ann, carla, agent, bots].map(key).sort(),
      });

      const before = await versions();
      for (const config of [groups, users]) {
        const again = await run(config);
        expect(again.status).toBe('succeeded');
        expect(await applied(again.id)).toEqual([]);
      }
      expect(await versions()).toEqual(before);
      expect(await members('eng')).toEqual(['E1', 'E3', 'group:Build Bots'].sort());
    });

    it('a membership change names the members added and removed; a member read before its person is linked later', async () => {
      await modifyMembers(eng, 'delete', [ann]);
      await modifyMembers(eng, 'add', [bob]);
      const changed = await run(groups);
      const events = await applied(changed.id);
      expect(events.map((e) => e.objectKey)).toEqual([key(eng)]);
      const { before, after } = (events[0] as Event).diff.member as { before: string[]; after: string[] };
      expect(before.filter((m) => !after.includes(m))).toEqual([key(ann)]);
      expect(after.filter((m) => !before.includes(m))).toEqual([key(bob)]);
      expect(await members('eng')).toEqual(['E2', 'E3', 'group:Build Bots'].sort());
      const csv = await (await api.request('GET', `/api/runs/${changed.id}/events.csv`)).text();
      expect(csv).toContain(key(bob));

      // A person added to the directory and to the group: the group run comes first, so dan has no
      // link yet and is kept as given; once the people run links him, the next group run makes
      // him a member, and the one after that writes nothing.
      const client = new Client({ url: slapd.url });
      await client.bind(rootDn, rootPassword);
      await client.add(dan, {
        objectClass: 'inetOrgPerson',
        uid: 'dan',
        cn: 'dan',
        sn: 'dan',
        employeeNumber: 'E4',
      });
      await client.unbind();
      await modifyMembers(eng, 'add', [dan]);
      expect((await applied((await run(groups)).id)).map((e) => e.objectKey)).toEqual([key(eng)]);
      expect(await members('eng')).toEqual(['E2', 'E3', 'group:Build Bots'].sort());
      expect((await run(users)).counts.responses).toMatchObject({ ADD_TO_IDM: 1 });
      expect((await applied((await run(groups)).id)).map((e) => e.objectKey)).toEqual([key(eng)]);
      expect(await members('eng')).toEqual(['E2', 'E3', 'E4', 'group:Build Bots'].sort());
      const settled = await versions();
      expect(await applied((await run(groups)).id)).toEqual([]);
      expect(await versions()).toEqual(settled);
    });

    it('with the IDM as the source of members, a membership removed in the IDM leaves the directory, and entries kept as given stay', async () => {
      const updated = await json<ReconConfigResponse>('PATCH', `/api/recon-configs/${groups.id}`, {
        attributeSync: { member: { direction: 'toSystem' } },
        situations: { IDM_EXISTS__RESOURCE_EXISTS: { response: 'UPDATE_RESOURCE_FROM_IDM' } },
      });
      expect(updated.entitlementAttribute).toBe('member');
      const engId = (await group('eng')).id;
      await db().rows(sql`
        delete from idm_memberships m using idm_objects u
        where m.target_id = ${engId} and u.id = m.member_id and u.employee_id = 'E2'`);
      const removed = await run(groups);
      expect((await applied(removed.id)).map((e) => e.objectKey)).toEqual([key(eng)]);
      const client = new Client({ url: slapd.url });
      await client.bind(rootDn, rootPassword);
      const { searchEntries } = await client.search(eng, { scope: 'base', attributes: ['member'] });
      await client.unbind();
      expect([searchEntries[0]?.member ?? []].flat().map(String).map(key).sort()).toEqual(
        [carla, agent, bots, dan].map(key).sort(),
      );
      expect(await applied((await run(groups)).id)).toEqual([]);
    });
  });
});
