import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe } from 'vitest';
import { type ScimServer, startScimServer } from '../helpers/scim-server.ts';
import {
  describeGroupCells,
  describeUserCells,
  type GroupPeer,
  type Person,
  useIdmDatabase,
} from './converge-fixture.ts';

/**
 * The convergence matrix over the real SCIM test server (SCIMMY): its users emptied per cell,
 * `active` as the disabled state, a typed value (`emails.work`) and a multi-valued one (`roles`).
 */
const userName = (p: Person) => `${p.id.toLowerCase()}@example.test`;

function scimPeer(server: ScimServer): GroupPeer {
  const peer: GroupPeer = {
    async groups(_cell, people, groups) {
      await peer.users(_cell, people);
      server.store.Groups.clear();
      const ids = new Map([...server.store.Users.values()].map((u) => [u.externalId as string, u.id]));
      for (const group of groups) {
        const now = server.store.stamp();
        const id = randomUUID();
        server.store.Groups.set(id, {
          id,
          displayName: group.name,
          // `svc`: a member the server knows no user for, as a nested group or a deleted user would be.
          members: group.members.map((m) => ({ value: ids.get(m) ?? `svc-${id}` })),
          meta: { resourceType: 'Group', created: now, lastModified: now },
        });
      }
      return {
        system: {
          type: 'scim',
          uniqueFieldKey: 'displayName',
          connection: { baseUrl: server.baseUrl, resourceType: 'Group' },
          secrets: { token: server.token },
          attributes: ['displayName', 'members'],
          config: {},
        },
        groupConfig: {
          sourceAttributeName: 'displayName',
          idmCustomAttribute: 'displayName',
          entitlementAttribute: 'members',
          policyMap: ['displayName', 'members'],
        },
        membersLinked: false,
      };
    },
    groupAttributes: (_cell, g) => ({ displayName: g.name, name: g.name }),
    async users(_cell, people) {
      server.store.Users.clear();
      server.seedUsers(
        people.map((p) => ({
          userName: userName(p),
          externalId: p.id,
          displayName: p.name,
          title: p.name.split(' ')[1],
          emails: [{ value: p.email, type: 'work' }],
          active: !p.disabled,
        })),
      );
      return {
        type: 'scim',
        uniqueFieldKey: 'userName',
        connection: { baseUrl: server.baseUrl },
        secrets: { token: server.token },
        attributes: ['userName', 'externalId', 'displayName', 'title', 'emails.work'],
        config: {
          sourceAttributeName: 'externalId',
          idmField: 'employeeId',
          policyMap: ['externalId', 'displayName', 'title', 'emails.work'],
        },
      };
    },
    keyOf: (_cell, p) => userName(p),
    idmAttributes: (_cell, p) => ({
      userName: userName(p),
      externalId: p.id,
      displayName: p.name,
      title: p.name.split(' ')[1] ?? null,
      'emails.work': p.email,
    }),
    close: async () => {},
  };
  return peer;
}

describe('convergence over SCIM', () => {
  const db = useIdmDatabase();
  let server: ScimServer;
  beforeAll(async () => {
    server = await startScimServer();
  });
  afterAll(async () => {
    await server?.close();
  });
  describeUserCells('scim', true, async () => scimPeer(server), db);
  describeGroupCells('scim', true, async () => scimPeer(server), db, false);
});
