import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Response, Situation } from '../../server/core/model.ts';
import type { Database } from '../../server/db/client.ts';
import { reconConfigs } from '../../server/db/schema/index.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { type ScimServer, startScimServer } from '../helpers/scim-server.ts';
import {
  baseLdif,
  rootDn,
  rootPassword,
  type Slapd,
  slapdAvailable,
  startSlapd,
  suffix,
} from '../helpers/slapd.ts';
import { addIdmUser, clearIdm, eventsOf, idmUsers, runToEnd, setSituations } from '../runs/recon-fixture.ts';
import { insertSystem, recordingRunService } from '../runs/recorded-connector.ts';

/**
 * Issue 15, item 7, the cases a file cannot show: a connector that fails part-way (page 3 of a SCIM
 * service), and a directory entry without the unique field key. Nothing the source may still hold
 * is disabled, the run is not `succeeded`, and it says where the read broke.
 */
const sync: Partial<Record<Situation, Response>> = {
  IDM_EXISTS__RESOURCE_EXISTS: 'UPDATE_IDM_FROM_RESOURCE',
  IDM_NOT_EXISTS__RESOURCE_EXISTS: 'ADD_TO_IDM',
  IDM_EXISTS__RESOURCE_NOT_EXISTS: 'DISABLE_IN_IDM',
};

async function userConfig(db: Database, systemId: string, values: Partial<typeof reconConfigs.$inferInsert>) {
  const [config] = await db.orm
    .insert(reconConfigs)
    .values({
      systemId,
      objectType: 'User',
      sourceAttributeName: 'employeeNumber',
      idmField: 'employeeId',
      ...values,
    })
    .returning();
  await setSituations(db, config?.id as string, sync);
  return config?.id as string;
}

const statuses = async (db: Database) =>
  (await idmUsers(db)).map((u) => [u.employee_id, u.status, u.version]);

describeEachDatabase('a source that breaks while it is read', (db) => {
  describe('a SCIM service that fails from page 3 on', () => {
    let server: ScimServer;
    beforeAll(async () => {
      server = await startScimServer();
      server.seedUsers(
        Array.from({ length: 10 }, (_, i) => ({
          userName: `u${i}@${db().kind}`,
          externalId: `E${i}`,
          displayName: `User ${i}`,
          active: true,
        })),
      );
    });
    afterAll(async () => {
      await server?.close();
    });

    it('disables no one, stops as stopped_by_guard and names the page', async () => {
      await clearIdm(db());
      const system = await insertSystem(db(), {
        name: `scim-${db().kind}-${Math.random()}`,
        type: 'scim',
        trusted: true,
        uniqueFieldKey: 'userName',
        connection: { baseUrl: server.baseUrl, pageSize: 2 },
      });
      const configId = await userConfig(db(), system.id, {
        sourceAttributeName: 'externalId',
        policyMap: ['displayName', 'externalId'],
        targetSearchFilter: `userName ew "@${db().kind}"`,
      });
      const { service } = recordingRunService(db(), null, () => ({ token: server.token }));
      expect((await runToEnd(service, db(), { configId })).status).toBe('succeeded');
      const before = await statuses(db());
      expect(before).toHaveLength(10);

      server.failPages({ from: 3, fault: 500 });
      try {
        const run = await runToEnd(service, db(), { configId });
        expect(run.status).toBe('stopped_by_guard');
        expect(run.error?.details).toMatchObject({ reason: 'read_problems', accounts: 4 });
        expect(run.error?.message).toMatch(/the read stopped after 4 account\(s\): .*while reading page 3/);
        expect(await statuses(db())).toEqual(before);
        const planned = (await eventsOf(db(), run.id)).filter((e) => e.outcome === 'planned');
        expect(planned).toEqual([]);
      } finally {
        server.failPages(null);
      }
      const again = await runToEnd(service, db(), { configId });
      expect(again.status).toBe('succeeded');
      expect(again.counts.applied).toEqual({});
    });
  });

  describe.runIf(slapdAvailable())('a directory entry without its unique field key', () => {
    let slapd: Slapd;
    beforeAll(async () => {
      const person = (uid: string | null, n: number) => `dn: cn=Person ${n},ou=people,${suffix}
objectClass: inetOrgPerson
cn: Person ${n}
sn: P${n}
employeeNumber: E${n}
${uid ? `uid: ${uid}\n` : ''}`;
      slapd = await startSlapd(`${baseLdif}\n${person('ann', 1)}\n${person(null, 2)}\n${person('cid', 3)}`);
    });
    afterAll(async () => {
      await slapd?.stop();
    });

    it('is a read problem naming its DN: the run holds, and the IDM user is left alone', async () => {
      await clearIdm(db());
      for (const n of [1, 2, 3]) await addIdmUser(db(), `E${n}`, { name: `Person ${n}` });
      const system = await insertSystem(db(), {
        name: `ldap-${db().kind}-${Math.random()}`,
        type: 'ldap',
        trusted: true,
        uniqueFieldKey: 'uid',
        connection: { url: slapd.url, bindDn: rootDn, baseDn: `ou=people,${suffix}` },
      });
      const configId = await userConfig(db(), system.id, { policyMap: ['cn', 'employeeNumber'] });
      const { service } = recordingRunService(db(), null, () => ({ bindPassword: rootPassword }));
      const before = await statuses(db());
      const run = await runToEnd(service, db(), { configId });
      expect(run.status).toBe('stopped_by_guard');
      expect(run.error?.message).toContain(`cn=Person 2,ou=people,${suffix}`);
      expect(await statuses(db())).toEqual(before);
    });
  });
});
