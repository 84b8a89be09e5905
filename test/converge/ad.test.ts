import { randomBytes } from 'node:crypto';
import { Client, Control } from 'ldapts';
import { describe } from 'vitest';
import { adminDn, adminPassword, domainDn, sambaAvailable, useSamba } from '../helpers/samba.ts';
import {
  describeGroupCells,
  describeUserCells,
  type GroupPeer,
  type PeerSystem,
  type Person,
  useIdmDatabase,
} from './converge-fixture.ts';

/**
 * The convergence matrix over the test run's Samba AD DC (run under `flock /tmp/trueup-samba.lock`):
 * one OU per cell, sAMAccountName as the unique field key, the AD disable bit, a multi-valued
 * attribute (otherTelephone), and groups whose `member` DNs read as the members' keys.
 */
const run = randomBytes(3).toString('hex');
const ou = (cell: string) => `OU=converge-${run}-${cell},${domainDn}`;
const account = (cell: string, id: string) => `${id}-${run}${cell}`;
const dnOf = (cell: string, id: string) => `CN=${account(cell, id)},${ou(cell)}`;

async function adPeer(): Promise<GroupPeer> {
  const { url } = await useSamba();
  const client = new Client({ url });
  await client.bind(adminDn, adminPassword);
  const cells: string[] = [];
  const userSystem = (cell: string): PeerSystem => ({
    type: 'ldap',
    uniqueFieldKey: 'sAMAccountName',
    connection: {
      url,
      bindDn: adminDn,
      baseDn: ou(cell),
      rdnAttribute: 'cn',
      objectClasses: ['top', 'person', 'organizationalPerson', 'user'],
      disable: { mode: 'ad' },
    },
    secrets: { bindPassword: adminPassword },
    attributes: ['sAMAccountName', 'cn', 'employeeID', 'displayName', 'mail', 'otherTelephone'],
    config: {
      targetSearchFilter: '(&(objectClass=user)(!(objectClass=computer)))',
      sourceAttributeName: 'employeeID',
      idmField: 'employeeId',
      policyMap: ['sAMAccountName', 'employeeID', 'displayName', 'mail', 'otherTelephone'],
    },
  });
  const peer: GroupPeer = {
    async users(cell, people) {
      cells.push(cell);
      await client.add(ou(cell), { objectClass: ['top', 'organizationalUnit'] });
      for (const p of people) {
        await client.add(dnOf(cell, p.id), {
          objectClass: ['top', 'person', 'organizationalPerson', 'user'],
          sAMAccountName: account(cell, p.id),
          employeeID: p.id,
          displayName: p.name,
          mail: p.email,
          ...(p.roles.length > 0 ? { otherTelephone: p.roles } : {}),
          userAccountControl: p.disabled ? '546' : '544',
        });
      }
      return userSystem(cell);
    },
    async groups(cell, people, groups) {
      const users = await peer.users(cell, people);
      // A contact: no account, no key; a group may list it, and no config reads it.
      await client.add(`CN=svc,${ou(cell)}`, {
        objectClass: ['top', 'person', 'organizationalPerson', 'contact'],
      });
      for (const group of groups) {
        await client.add(dnOf(cell, group.name), {
          objectClass: ['top', 'group'],
          sAMAccountName: account(cell, group.name),
          member: group.members.map((id) => (id === 'svc' ? `CN=svc,${ou(cell)}` : dnOf(cell, id))),
        });
      }
      return {
        system: {
          ...users,
          connection: {
            ...users.connection,
            referenceAttributes: ['member'],
            objectClasses: ['top', 'group'],
          },
          attributes: ['sAMAccountName', 'cn', 'member'],
        },
        groupConfig: {
          targetSearchFilter: '(objectClass=group)',
          sourceAttributeName: 'sAMAccountName',
          idmCustomAttribute: 'sAMAccountName',
          entitlementAttribute: 'member',
          policyMap: ['sAMAccountName', 'member'],
        },
      };
    },
    keyOf: (cell, p) => account(cell, p.id),
    idmAttributes: (cell, p: Person) => ({
      sAMAccountName: account(cell, p.id),
      cn: account(cell, p.id),
      employeeID: p.id,
      displayName: p.name,
      mail: p.email,
      otherTelephone: p.roles,
    }),
    groupAttributes: (cell, g) => ({
      sAMAccountName: account(cell, g.name),
      cn: account(cell, g.name),
      name: g.name,
    }),
    close: async () => {
      const treeDelete = new Control('1.2.840.113556.1.4.805', { critical: true });
      for (const cell of cells) await client.del(ou(cell), treeDelete).catch(() => {});
      await client.unbind();
    },
  };
  return peer;
}

describe.runIf(sambaAvailable())('convergence over Samba AD', () => {
  const db = useIdmDatabase();
  describeUserCells('ad', true, adPeer, db);
  describeGroupCells('ad', true, adPeer, db, false);
});
