import { Client } from 'ldapts';
import { afterAll, beforeAll, describe } from 'vitest';
import {
  baseLdif,
  rootDn,
  rootPassword,
  type Slapd,
  slapdAvailable,
  startSlapd,
  suffix,
} from '../helpers/slapd.ts';
import {
  describeGroupCells,
  describeUserCells,
  type GroupPeer,
  type PeerSystem,
  type Person,
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
});
