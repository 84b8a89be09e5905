import { eq } from 'drizzle-orm';
import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconConfigs } from '../../server/db/schema/index.ts';
import {
  baseLdif,
  rootDn,
  rootPassword,
  type Slapd,
  slapdAvailable,
  startSlapd,
  suffix,
} from '../helpers/slapd.ts';
import { clearIdm, runToEnd, setSituations } from '../runs/recon-fixture.ts';
import { insertSystem } from '../runs/recorded-connector.ts';
import {
  assertConverges,
  countingRunService,
  describeGroupCells,
  describeUserCells,
  type GroupPeer,
  idmState,
  insertIdm,
  type PeerSystem,
  type Person,
  people,
  useIdmDatabase,
} from './converge-fixture.ts';

/**
 * The convergence matrix over a real slapd: one OU per cell, the DN as the unique field key,
 * multi-valued attributes (cn, mail, businessCategory) read as lists by the directory's schema.
 */
const ou = (cell: string) => `ou=${cell},${suffix}`;
// The directory's own spelling: upper-case attribute types, as an LDIF from elsewhere may have them.
const dnOf = (cell: string, p: Person) => `UID=${p.id},OU=${cell},${suffix}`;

function entry(p: Person) {
  return {
    objectClass: ['top', 'person', 'organizationalPerson', 'inetOrgPerson'],
    uid: p.id,
    cn: p.name,
    sn: p.name.split(' ')[1] ?? p.name,
    mail: p.email,
    employeeNumber: p.id,
    ...(p.roles.length > 0 ? { businessCategory: p.roles } : {}),
    ...(p.disabled ? { employeeType: 'disabled' } : {}),
  };
}

async function ldapPeer(slapd: Slapd): Promise<GroupPeer> {
  const client = new Client({ url: slapd.url });
  await client.bind(rootDn, rootPassword);
  const groupDn = (cell: string, name: string) => `cn=${name},${ou(cell)}`;
  const memberDn = (cell: string, id: string) =>
    id === 'svc' ? `cn=svc,${ou(cell)}` : dnOf(cell, { id } as Person);
  const peer: GroupPeer = {
    async users(cell, people) {
      await client.add(ou(cell), { objectClass: ['top', 'organizationalUnit'], ou: cell });
      for (const p of people) await client.add(dnOf(cell, p), entry(p));
      return {
        type: 'ldap',
        uniqueFieldKey: 'dn',
        connection: {
          url: slapd.url,
          bindDn: rootDn,
          baseDn: ou(cell),
          rdnAttribute: 'uid',
          disable: { attribute: 'employeeType', value: 'disabled' },
        },
        secrets: { bindPassword: rootPassword },
        attributes: ['uid', 'cn', 'sn', 'mail', 'employeeNumber', 'businessCategory'],
        config: {
          targetSearchFilter: '(objectClass=inetOrgPerson)',
          sourceAttributeName: 'employeeNumber',
          idmField: 'employeeId',
          policyMap: ['uid', 'cn', 'sn', 'mail', 'employeeNumber', 'businessCategory'],
        },
      };
    },
    keyOf: (cell, p) => dnOf(cell, p),
    idmAttributes: (cell, p) => ({
      dn: dnOf(cell, p),
      uid: [p.id],
      cn: [p.name],
      // One value where the directory's schema says list: the IDM as a system of single values gave it.
      sn: p.name.split(' ')[1] ?? p.name,
      mail: [p.email],
      employeeNumber: p.id,
      businessCategory: p.roles,
    }),
    async groups(cell, people, groups) {
      const users: PeerSystem = await peer.users(cell, people);
      // An entry that is no person: a group may list it, and no config reads it.
      await client.add(`cn=svc,${ou(cell)}`, { objectClass: ['top', 'organizationalRole'], cn: 'svc' });
      for (const group of groups) {
        await client.add(groupDn(cell, group.name), {
          objectClass: ['top', 'groupOfNames'],
          cn: group.name,
          member: group.members.map((id) => memberDn(cell, id)),
        });
      }
      return {
        system: {
          ...users,
          connection: {
            ...users.connection,
            referenceAttributes: ['member'],
            objectClasses: ['top', 'groupOfNames'],
            rdnAttribute: 'cn',
          },
          attributes: ['cn', 'member'],
        },
        groupConfig: {
          targetSearchFilter: '(objectClass=groupOfNames)',
          sourceAttributeName: 'cn',
          idmCustomAttribute: 'cn',
          entitlementAttribute: 'member',
          policyMap: ['cn', 'member'],
        },
      };
    },
    groupAttributes: (cell, group) => ({ dn: groupDn(cell, group.name), cn: [group.name], name: group.name }),
    close: async () => {
      await client.unbind();
    },
  };
  return peer;
}

describe.runIf(slapdAvailable())('convergence over OpenLDAP slapd', () => {
  const db = useIdmDatabase();
  let slapd: Slapd;
  beforeAll(async () => {
    slapd = await startSlapd(baseLdif);
  });
  afterAll(async () => {
    await slapd?.stop();
  });
  describeUserCells('ldap', true, () => ldapPeer(slapd), db);
  describeGroupCells('ldap', true, () => ldapPeer(slapd), db, false);

  it('members that trueup provisioned, keyed by DNs spelled in another case, compare equal: the group is not rewritten', async () => {
    await clearIdm(db());
    const peer = await ldapPeer(slapd);
    const cell = 'prov';
    // One person already there: a source that returns nothing is held by the source guard.
    const users = await peer.users(cell, [people[2] as Person]);
    const system = await insertSystem(db(), {
      name: `ldap-${cell}`,
      type: 'ldap',
      trusted: true,
      uniqueFieldKey: 'dn',
      connection: { ...users.connection, referenceAttributes: ['member'] },
      attributes: users.attributes,
    });
    const counted = countingRunService(db(), () => users.secrets);
    const addConfig = async (values: Partial<typeof reconConfigs.$inferInsert>) => {
      const [row] = await db()
        .orm.insert(reconConfigs)
        .values({ systemId: system.id, objectType: 'User', ...values })
        .returning();
      return row?.id as string;
    };
    // The IDM provisions two people; their links carry the DNs as the IDM spells them (`UID=…,OU=…`).
    const two = people.slice(0, 2);
    for (const p of two) {
      await insertIdm(db(), 'User', { ...peer.idmAttributes(cell, p), employeeId: p.id, name: p.name });
    }
    const userConfig = await addConfig(users.config);
    await setSituations(db(), userConfig, { IDM_EXISTS__RESOURCE_NOT_EXISTS: 'ADD_TO_RESOURCE' });
    const provisioned = await runToEnd(counted.service, db(), { configId: userConfig });
    expect(provisioned.error).toBeNull();
    expect(provisioned.counts.applied).toEqual({ ADD_TO_RESOURCE: 2 });
    // A group on the directory lists them; the directory writes its DNs its own way.
    const client = new Client({ url: slapd.url });
    await client.bind(rootDn, rootPassword);
    await client.add(`cn=team,${ou(cell)}`, {
      objectClass: ['top', 'groupOfNames'],
      cn: 'team',
      member: two.map((p) => dnOf(cell, p).toLowerCase()),
    });
    await client.unbind();
    const groupConfig = await addConfig({
      objectType: 'Group',
      targetSearchFilter: '(objectClass=groupOfNames)',
      entitlementAttribute: 'member',
      policyMap: ['cn', 'member'],
    });
    await setSituations(db(), groupConfig, {
      IDM_NOT_EXISTS__RESOURCE_EXISTS: 'ADD_TO_IDM',
      IDM_EXISTS__RESOURCE_EXISTS: 'UPDATE_IDM_FROM_RESOURCE',
    });
    await assertConverges(db(), counted, groupConfig, 'ADD_TO_IDM');
    // Both members became memberships through their links (not values kept as given).
    expect((await idmState(db())).memberships).toHaveLength(2);
    await setSituations(db(), groupConfig, { IDM_EXISTS__RESOURCE_EXISTS: 'UPDATE_RESOURCE_FROM_IDM' });
    await db()
      .orm.update(reconConfigs)
      .set({ attributeSync: { member: { direction: 'toSystem' } } })
      .where(eq(reconConfigs.id, groupConfig));
    const first = await runToEnd(counted.service, db(), { configId: groupConfig });
    expect(first.counts.applied).toEqual({});
    expect(counted.writes).toEqual([]);
    await peer.close();
  });
});
