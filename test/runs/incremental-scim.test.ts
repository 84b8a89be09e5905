import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { Response, Situation } from '../../server/core/model.ts';
import { reconConfigs, reconSituations } from '../../server/db/schema/index.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { type ScimServer, startScimServer } from '../helpers/scim-server.ts';
import { addIdmUser, clearIdm, eventsOf, idmUsers, runToEnd } from './recon-fixture.ts';
import { insertSystem, recordingRunService, watermarkOf } from './recorded-connector.ts';

const sync: Partial<Record<Situation, Response>> = {
  IDM_EXISTS__RESOURCE_EXISTS: 'UPDATE_IDM_FROM_RESOURCE',
  IDM_NOT_EXISTS__RESOURCE_EXISTS: 'ADD_TO_IDM',
  // An incremental run must never take an unread account for a missing one.
  IDM_EXISTS__RESOURCE_NOT_EXISTS: 'DISABLE_IN_IDM',
};

/** A change made on the SCIM server by another client, over its HTTP API. */
async function scimRequest(server: ScimServer, method: string, path: string, body: unknown) {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/scim+json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBeLessThan(300);
  return response.json() as Promise<{ id: string }>;
}

describeEachDatabase(
  'a SCIM system through the run engine: full, then incremental by meta.lastModified',
  (db) => {
    let server: ScimServer;
    beforeAll(async () => {
      server = await startScimServer();
    });
    afterAll(async () => {
      await server?.close();
    });
    beforeEach(async () => {
      await clearIdm(db());
    });

    it('a full run, one change and one new user on the SCIM server, then an incremental run acts on exactly those', async () => {
      const seeded = server.seedUsers(
        ['Ann', 'Bob', 'Cid'].map((name, i) => ({
          userName: `${name.toLowerCase()}@${db().kind}`,
          externalId: `E${i + 1}`,
          displayName: name,
          active: true,
        })),
      );
      await addIdmUser(db(), 'E1', { name: 'Ann' });
      await addIdmUser(db(), 'E2', { name: 'Bob' });
      const system = await insertSystem(db(), {
        name: `scim-${db().kind}-${Math.random()}`,
        type: 'scim',
        trusted: true,
        uniqueFieldKey: 'userName',
        connection: { baseUrl: server.baseUrl, pageSize: 2 },
      });
      const [config] = await db()
        .orm.insert(reconConfigs)
        .values({
          systemId: system.id,
          objectType: 'User',
          sourceAttributeName: 'externalId',
          idmField: 'employeeId',
          policyMap: ['displayName', 'externalId'],
          targetSearchFilter: `userName ew "@${db().kind}"`,
        })
        .returning();
      const configId = config!.id;
      await db()
        .orm.insert(reconSituations)
        .values(
          Object.entries(sync).map(([situation, response]) => ({
            configId,
            situation: situation as Situation,
            response: response!,
          })),
        );
      const { service, log } = recordingRunService(db(), null, () => ({ token: server.token }));
      const summary = async (runId: string) =>
        (await eventsOf(db(), runId))
          .map((e) => [e.object_key, e.situation, e.response, e.outcome])
          .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
      const [ann, bob, cid] = seeded.map((u) => String(u.userName));

      const full = await runToEnd(service, db(), { configId });
      expect([full.status, full.error]).toEqual(['succeeded', null]);
      expect(await summary(full.id)).toEqual([
        [ann, 'IDM_EXISTS__RESOURCE_EXISTS', 'UPDATE_IDM_FROM_RESOURCE', 'applied'],
        [bob, 'IDM_EXISTS__RESOURCE_EXISTS', 'UPDATE_IDM_FROM_RESOURCE', 'applied'],
        [cid, 'IDM_NOT_EXISTS__RESOURCE_EXISTS', 'ADD_TO_IDM', 'applied'],
      ]);
      expect(log.searches.map((s) => [s.searchFilter, s.attributes, s.watermark ?? null])).toEqual([
        [`userName ew "@${db().kind}"`, ['displayName', 'externalId'], null],
      ]);
      // Only the policy map (and the key) reached the IDM: no id, meta or active.
      const added = (await idmUsers(db())).find((u) => u.employee_id === 'E3');
      expect(Object.keys(added?.attributes ?? {}).sort()).toEqual([
        'displayName',
        'employeeId',
        'externalId',
        'userName',
      ]);
      const afterFull = seeded[2]!.meta.lastModified;
      expect(await watermarkOf(db(), configId)).toBe(afterFull);

      await scimRequest(server, 'PATCH', `/Users/${seeded[1]!.id}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: 'displayName', value: 'Bob Renamed' }],
      });
      const dee = `dee@${db().kind}`;
      await scimRequest(server, 'POST', '/Users', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: dee,
        externalId: 'E4',
        displayName: 'Dee',
      });

      log.reset();
      const incremental = await runToEnd(service, db(), { configId, mode: 'incremental' });
      expect(incremental.status).toBe('succeeded');
      expect(log.searches.map((s) => s.watermark)).toEqual([afterFull]);
      // Cid carries the watermark's own timestamp and is read again (`ge`, docs/connectors.md),
      // unchanged, so it has no event; Ann is neither read nor taken for deleted.
      expect(log.read.sort()).toEqual([bob, cid, dee]);
      expect(await summary(incremental.id)).toEqual([
        [bob, 'IDM_EXISTS__RESOURCE_EXISTS', 'UPDATE_IDM_FROM_RESOURCE', 'applied'],
        [dee, 'IDM_NOT_EXISTS__RESOURCE_EXISTS', 'ADD_TO_IDM', 'applied'],
      ]);
      expect(incremental.counts.responses).toMatchObject({ UPDATE_IDM_FROM_RESOURCE: 2, ADD_TO_IDM: 1 });
      const users = (await idmUsers(db())).map((u) => [
        u.employee_id,
        u.attributes.displayName ?? u.name,
        u.status,
      ]);
      expect(users).toEqual([
        ['E1', 'Ann', 'active'],
        ['E2', 'Bob Renamed', 'active'],
        ['E3', 'Cid', 'active'],
        ['E4', 'Dee', 'active'],
      ]);
      const newest = [...server.store.Users.values()].find((u) => u.userName === dee)!.meta.lastModified;
      expect(await watermarkOf(db(), configId)).toBe(newest);
    });
  },
);
