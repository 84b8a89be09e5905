import { afterAll, beforeAll, describe } from 'vitest';
import { type ScimServer, startScimServer } from '../helpers/scim-server.ts';
import { describeUserCells, type Person, type UserPeer, useIdmDatabase } from './converge-fixture.ts';

/**
 * The convergence matrix over the real SCIM test server (SCIMMY): its users emptied per cell,
 * `active` as the disabled state, a typed value (`emails.work`) and a multi-valued one (`roles`).
 */
const userName = (p: Person) => `${p.id.toLowerCase()}@example.test`;

function scimPeer(server: ScimServer): UserPeer {
  return {
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
});
