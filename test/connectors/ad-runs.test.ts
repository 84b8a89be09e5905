import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { Attribute, Change, Client, Control } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconConfigs } from '../../server/db/schema/index.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { adminDn, adminPassword, domainDn, sambaAvailable, useSamba } from '../helpers/samba.ts';
import { eventsOf, idmUsers, runToEnd, setSituations } from '../runs/recon-fixture.ts';
import { insertSystem, recordingRunService, watermarkOf } from '../runs/recorded-connector.ts';

/**
 * Runs over a real Samba AD DC through the run service: objectGUID-keyed links, uSNChanged
 * incremental runs that read exactly the change, and what a deleted user becomes on the next run.
 */
const showDeleted = new Control('1.2.840.113556.1.4.417', { critical: true });

describeEachDatabase('reconciliation runs over Samba AD', (db) => {
  describe.runIf(sambaAvailable())('objectGUID keys and uSNChanged watermarks', () => {
    let admin: Client;
    let url: string;
    const ou = `OU=runs-${randomBytes(4).toString('hex')},${domainDn}`;
    const tag = ou.slice(8, 16);
    const userDn = (name: string) => `CN=${name},${ou}`;
    const guidOf = async (dn: string) => {
      const { searchEntries } = await admin.search(dn, {
        scope: 'base',
        attributes: ['objectGUID', 'uSNChanged'],
        explicitBufferAttributes: ['objectGUID'],
      });
      const entry = searchEntries[0] as unknown as { objectGUID: Buffer; uSNChanged: string };
      return { guid: entry.objectGUID.toString('base64'), usn: entry.uSNChanged };
    };

    beforeAll(async () => {
      url = (await useSamba()).url;
      admin = new Client({ url });
      await admin.bind(adminDn, adminPassword);
      await admin.add(ou, { objectClass: ['top', 'organizationalUnit'] });
      for (const [name, id] of [
        ['ada', 'E1'],
        ['alan', 'E2'],
        ['grace', 'E3'],
      ] as const) {
        await admin.add(userDn(name), {
          objectClass: ['top', 'person', 'organizationalPerson', 'user'],
          sAMAccountName: `${name}-${tag}`,
          employeeID: id,
          title: 'Engineer',
          userAccountControl: '544',
        });
      }
    });
    afterAll(async () => {
      if (!admin) return;
      await admin.del(ou, new Control('1.2.840.113556.1.4.805', { critical: true })).catch(() => {});
      await admin.unbind();
    });

    it('a full run links by objectGUID; an incremental run reads just the change; a deleted user is missing on the next full run', async () => {
      const system = await insertSystem(db(), {
        name: `samba-${Math.random()}`,
        type: 'ldap',
        trusted: true,
        uniqueFieldKey: 'objectGUID',
        connection: {
          url,
          bindDn: adminDn,
          baseDn: ou,
          watermarkAttribute: 'uSNChanged',
          disable: { mode: 'ad' },
        },
      });
      const [config] = await db()
        .orm.insert(reconConfigs)
        .values({
          systemId: system.id,
          objectType: 'User',
          targetSearchFilter: '(objectClass=user)',
          sourceAttributeName: 'employeeID',
          idmField: 'employeeId',
          policyMap: ['sAMAccountName', 'employeeID', 'title', 'accountDisabled'],
        })
        .returning();
      const configId = config?.id as string;
      await setSituations(db(), configId, {
        IDM_NOT_EXISTS__RESOURCE_EXISTS: 'ADD_TO_IDM',
        IDM_EXISTS__RESOURCE_EXISTS: 'UPDATE_IDM_FROM_RESOURCE',
        IDM_EXISTS__RESOURCE_NOT_EXISTS: 'DISABLE_IN_IDM',
      });
      const { service, log } = recordingRunService(db(), null, () => ({ bindPassword: adminPassword }));
      const guids = {
        ada: await guidOf(userDn('ada')),
        alan: await guidOf(userDn('alan')),
        grace: await guidOf(userDn('grace')),
      };

      const full = await runToEnd(service, db(), { configId });
      expect(full.status).toBe('succeeded');
      expect(full.counts.responses).toEqual({ ADD_TO_IDM: 3 });
      const links = await db().rows<{ account_key: string; employee_id: string }>(sql`
        select l.account_key, o.employee_id from links l join idm_objects o on o.id = l.idm_object_id
        where l.system_id = ${system.id} order by o.employee_id`);
      expect(links).toEqual([
        { account_key: guids.ada.guid, employee_id: 'E1' },
        { account_key: guids.alan.guid, employee_id: 'E2' },
        { account_key: guids.grace.guid, employee_id: 'E3' },
      ]);
      const users = await idmUsers(db());
      expect(users.map((u) => [u.employee_id, u.attributes.accountDisabled, u.attributes.title])).toEqual([
        ['E1', false, 'Engineer'],
        ['E2', false, 'Engineer'],
        ['E3', false, 'Engineer'],
      ]);
      const mark = (await watermarkOf(db(), configId)) as string;
      expect(BigInt(mark)).toBeGreaterThanOrEqual(BigInt(guids.grace.usn));

      await admin.modify(userDn('grace'), [
        new Change({
          operation: 'replace',
          modification: new Attribute({ type: 'title', values: ['Rear Admiral'] }),
        }),
      ]);
      log.reset();
      const incremental = await runToEnd(service, db(), { configId, mode: 'incremental' });
      expect(log.searches.map((s) => s.watermark)).toEqual([mark]);
      // Only grace changed; the entry holding the old watermark may come back (`>=`), unchanged.
      expect(log.read).toContain(guids.grace.guid);
      expect(log.read.length).toBeLessThanOrEqual(2);
      const applied = (await eventsOf(db(), incremental.id)).filter((e) => e.outcome === 'applied');
      expect(applied.map((e) => [e.object_key, e.response, e.diff])).toEqual([
        [
          guids.grace.guid,
          'UPDATE_IDM_FROM_RESOURCE',
          { title: { before: 'Engineer', after: 'Rear Admiral' } },
        ],
      ]);
      expect(await watermarkOf(db(), configId)).toBe((await guidOf(userDn('grace'))).usn);

      // A deleted user leaves the normal search (AD keeps a tombstone under CN=Deleted Objects,
      // visible only with the show-deleted control), so an incremental run does not see it…
      await admin.del(userDn('alan'));
      const { searchEntries: tombstones } = await admin.search(
        `CN=Deleted Objects,${domainDn}`,
        {
          filter: '(isDeleted=TRUE)',
          attributes: ['objectGUID', 'isDeleted'],
          explicitBufferAttributes: ['objectGUID'],
        },
        showDeleted,
      );
      expect(tombstones.map((t) => (t.objectGUID as Buffer).toString('base64'))).toContain(guids.alan.guid);
      const quiet = await runToEnd(service, db(), { configId, mode: 'incremental' });
      expect((await eventsOf(db(), quiet.id)).filter((e) => e.outcome === 'applied')).toEqual([]);
      // …and the next full run finds its link without an account: IDM_EXISTS__RESOURCE_NOT_EXISTS.
      const after = await runToEnd(service, db(), { configId });
      const missing = (await eventsOf(db(), after.id)).filter((e) => e.object_key === guids.alan.guid);
      expect(missing.map((e) => [e.situation, e.response, e.outcome])).toEqual([
        ['IDM_EXISTS__RESOURCE_NOT_EXISTS', 'DISABLE_IN_IDM', 'applied'],
      ]);
      expect((await idmUsers(db())).map((u) => [u.employee_id, u.status])).toEqual([
        ['E1', 'active'],
        ['E2', 'disabled'],
        ['E3', 'active'],
      ]);
    });
  });
});
