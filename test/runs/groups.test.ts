import { randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { Attribute, Change, Client, Control } from 'ldapts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Response, Situation } from '../../server/core/model.ts';
import type { Database } from '../../server/db/client.ts';
import { reconConfigs } from '../../server/db/schema/index.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { adminDn, adminPassword, domainDn, sambaAvailable, useSamba } from '../helpers/samba.ts';
import {
  baseLdif,
  rootDn,
  rootPassword,
  type Slapd,
  slapdAvailable,
  startSlapd,
  suffix,
} from '../helpers/slapd.ts';
import { clearIdm, eventsOf, runToEnd, setSituations } from './recon-fixture.ts';
import { insertSystem, recordingRunService } from './recorded-connector.ts';

/**
 * Groups end to end (issue 10 §6): a Group config reconciles a directory's groups into the IDM
 * with their memberships, over OpenLDAP and a Samba AD DC. Users are reconciled first by a User
 * config on the same system; memberships name the members' account keys (`referenceAttributes`).
 */
type Directory = {
  connection: Record<string, unknown>;
  password: string;
  uniqueFieldKey: string;
  reconAttribute: string;
  usersFilter: string;
  groupsFilter: string;
  setMembers(group: string, users: string[]): Promise<void>;
  members(group: string): Promise<string[]>;
  close(): Promise<void>;
};

const people = [
  ['ann', 'E1'],
  ['bob', 'E2'],
  ['cid', 'E3'],
] as const;

function memberOp(type: 'add' | 'replace', values: string[]) {
  return new Change({ operation: type, modification: new Attribute({ type: 'member', values }) });
}

async function boundClient(url: string, dn: string, password: string) {
  const client = new Client({ url });
  await client.bind(dn, password);
  return client;
}

async function slapdDirectory(): Promise<Directory> {
  const userDn = (uid: string) => `uid=${uid},ou=people,${suffix}`;
  const groupDn = (cn: string) => `cn=${cn},ou=groups,${suffix}`;
  const users = people.map(([uid, number]) =>
    [
      `dn: ${userDn(uid)}`,
      'objectClass: inetOrgPerson',
      `uid: ${uid}`,
      `cn: ${uid}`,
      `sn: ${uid}`,
      `employeeNumber: ${number}`,
    ].join('\n'),
  );
  const group = (cn: string, members: string[]) =>
    [
      `dn: ${groupDn(cn)}`,
      'objectClass: groupOfNames',
      `cn: ${cn}`,
      ...members.map((m) => `member: ${userDn(m)}`),
    ].join('\n');
  const slapd: Slapd = await startSlapd(
    [baseLdif, ...users, group('eng', ['ann', 'bob']), group('ops', ['cid'])].join('\n\n'),
  );
  const client = await boundClient(slapd.url, rootDn, rootPassword);
  // slapadd bypasses the memberof overlay: writing the members over LDAP fills in memberOf.
  await client.modify(groupDn('eng'), [memberOp('replace', ['ann', 'bob'].map(userDn))]);
  await client.modify(groupDn('ops'), [memberOp('replace', ['cid'].map(userDn))]);
  return {
    connection: {
      url: slapd.url,
      bindDn: rootDn,
      baseDn: suffix,
      referenceAttributes: ['member', 'memberOf'],
    },
    password: rootPassword,
    uniqueFieldKey: 'dn',
    reconAttribute: 'employeeNumber',
    usersFilter: '(objectClass=inetOrgPerson)',
    groupsFilter: '(objectClass=groupOfNames)',
    setMembers: async (cn, uids) => client.modify(groupDn(cn), [memberOp('replace', uids.map(userDn))]),
    members: async (cn) => {
      const { searchEntries } = await client.search(groupDn(cn), { scope: 'base', attributes: ['member'] });
      const member = searchEntries[0]?.member ?? [];
      return (Array.isArray(member) ? member : [member])
        .map((dn) => String(dn).split(',')[0]?.split('=')[1] ?? '')
        .sort();
    },
    close: async () => {
      await client.unbind();
      await slapd.stop();
    },
  };
}

async function sambaDirectory(): Promise<Directory> {
  const dc = await useSamba();
  const ou = `OU=groups-${randomBytes(4).toString('hex')},${domainDn}`;
  const tag = ou.slice(10, 18);
  const userDn = (name: string) => `CN=${name},${ou}`;
  const groupDn = (cn: string) => `CN=${cn},${ou}`;
  const client = await boundClient(dc.url, adminDn, adminPassword);
  await client.add(ou, { objectClass: ['top', 'organizationalUnit'] });
  for (const [name, id] of people) {
    await client.add(userDn(name), {
      objectClass: ['top', 'person', 'organizationalPerson', 'user'],
      sAMAccountName: `${name}-${tag}`,
      employeeID: id,
      userAccountControl: '544',
    });
  }
  for (const [cn, members] of [
    ['eng', ['ann', 'bob']],
    ['ops', ['cid']],
  ] as const) {
    await client.add(groupDn(cn), {
      objectClass: ['top', 'group'],
      sAMAccountName: `${cn}-${tag}`,
      member: members.map(userDn),
    });
  }
  return {
    connection: {
      url: dc.url,
      bindDn: adminDn,
      baseDn: ou,
      watermarkAttribute: 'uSNChanged',
      referenceAttributes: ['member', 'memberOf'],
    },
    password: adminPassword,
    uniqueFieldKey: 'objectGUID',
    reconAttribute: 'employeeID',
    usersFilter: '(objectClass=user)',
    groupsFilter: '(objectClass=group)',
    setMembers: async (cn, names) => client.modify(groupDn(cn), [memberOp('replace', names.map(userDn))]),
    members: async (cn) => {
      const { searchEntries } = await client.search(groupDn(cn), { scope: 'base', attributes: ['member'] });
      const member = searchEntries[0]?.member ?? [];
      return (Array.isArray(member) ? member : [member])
        .map((dn) => String(dn).split(',')[0]?.split('=')[1] ?? '')
        .sort();
    },
    close: async () => {
      await client.del(ou, new Control('1.2.840.113556.1.4.805', { critical: true })).catch(() => {});
      await client.unbind();
    },
  };
}

/**
 * An IDM group's cn: one value from AD (SINGLE-VALUE there), a list of one from OpenLDAP (where cn
 * is multi-valued in the schema, so the connector reads it as a list).
 */
const cnOf = (alias: string) => sql.raw(`coalesce(${alias}attributes->'cn'->>0, ${alias}attributes->>'cn')`);

/** Group cn → member employee ids, as the IDM holds them. */
async function idmMemberships(db: Database) {
  const rows = await db.rows<{ grp: string; member: string }>(sql`
    select ${cnOf('g.')} as grp, u.employee_id as member from idm_memberships m
    join idm_objects g on g.id = m.target_id join idm_objects u on u.id = m.member_id
    order by 1, 2`);
  return rows.map((r) => `${r.grp}:${r.member}`);
}

async function groupVersions(db: Database): Promise<Record<string, number>> {
  const rows = await db.rows<{ cn: string; version: number }>(
    sql`select ${cnOf('')} as cn, version from idm_objects where type = 'Group'`,
  );
  return Object.fromEntries(rows.map((r) => [r.cn, Number(r.version)]));
}

const directories = [
  { name: 'OpenLDAP slapd', available: () => slapdAvailable(), open: slapdDirectory },
  { name: 'Samba AD', available: () => sambaAvailable(), open: sambaDirectory },
];

describeEachDatabase('groups and memberships end to end', (db) => {
  for (const directory of directories) {
    describe.runIf(directory.available())(directory.name, () => {
      let dir: Directory;
      beforeAll(async () => {
        dir = await directory.open();
      });
      afterAll(async () => {
        await dir?.close();
      });
      beforeEach(async () => {
        await clearIdm(db());
      });

      it('groups reach the IDM with their members; a member added on the system follows, and one removed in the IDM leaves the system', async () => {
        const system = await insertSystem(db(), {
          name: `groups-${directory.name}-${Math.random()}`,
          type: 'ldap',
          trusted: true,
          uniqueFieldKey: dir.uniqueFieldKey,
          connection: dir.connection,
        });
        const addConfig = async (
          values: Partial<typeof reconConfigs.$inferInsert>,
          situations: Partial<Record<Situation, Response>>,
        ) => {
          const [row] = await db()
            .orm.insert(reconConfigs)
            .values({ systemId: system.id, objectType: 'User', ...values })
            .returning();
          await setSituations(db(), row?.id as string, situations);
          return row?.id as string;
        };
        const users = await addConfig(
          {
            targetSearchFilter: dir.usersFilter,
            sourceAttributeName: dir.reconAttribute,
            idmField: 'employeeId',
            policyMap: ['cn', dir.reconAttribute],
          },
          { IDM_NOT_EXISTS__RESOURCE_EXISTS: 'ADD_TO_IDM' },
        );
        const groups = await addConfig(
          {
            objectType: 'Group',
            targetSearchFilter: dir.groupsFilter,
            entitlementAttribute: 'member',
            policyMap: ['cn', 'member'],
            sendDoNothingReport: true,
          },
          {
            IDM_NOT_EXISTS__RESOURCE_EXISTS: 'ADD_TO_IDM',
            IDM_EXISTS__RESOURCE_EXISTS: 'UPDATE_IDM_FROM_RESOURCE',
          },
        );
        const { service } = recordingRunService(db(), null, () => ({ bindPassword: dir.password }));
        expect((await runToEnd(service, db(), { configId: users })).counts.responses).toEqual({
          ADD_TO_IDM: 3,
        });

        const first = await runToEnd(service, db(), { configId: groups });
        expect(first.status).toBe('succeeded');
        expect(first.counts.responses).toEqual({ ADD_TO_IDM: 2 });
        expect(await idmMemberships(db())).toEqual(['eng:E1', 'eng:E2', 'ops:E3']);
        const groupTypes = await db().rows<{ type: string }>(
          sql`select distinct o.type from links l join idm_objects o on o.id = l.idm_object_id where l.object_type = 'Group'`,
        );
        expect(groupTypes).toEqual([{ type: 'Group' }]);

        // The same memberships seen from the members' side: each user's memberOf as entitlements.
        await db()
          .orm.update(reconConfigs)
          .set({ entitlementAttribute: 'memberOf', policyMap: ['cn', dir.reconAttribute, 'memberOf'] })
          .where(eq(reconConfigs.id, users));
        await setSituations(db(), users, { IDM_EXISTS__RESOURCE_EXISTS: 'UPDATE_IDM_FROM_RESOURCE' });
        // The users' memberOf lists name the groups the IDM already holds them in: their first run
        // only copies the newly mapped attribute, and the next one has nothing to write.
        const seen = await runToEnd(service, db(), { configId: users });
        expect(seen.status).toBe('succeeded');
        const diffs = (await eventsOf(db(), seen.id)).map((e) => Object.keys(e.diff ?? {}));
        expect(diffs).toEqual([['memberOf'], ['memberOf'], ['memberOf']]);
        const usersSettled = await runToEnd(service, db(), { configId: users });
        expect(usersSettled.counts.applied).toEqual({});
        expect(await idmMemberships(db())).toEqual(['eng:E1', 'eng:E2', 'ops:E3']);

        // A member added on the system reaches the IDM (IDHub's rule: the system's list replaces its own).
        const before = await groupVersions(db());
        await dir.setMembers('eng', ['ann', 'bob', 'cid']);
        const added = await runToEnd(service, db(), { configId: groups });
        const events = await eventsOf(db(), added.id);
        const changed = events.filter((e) => e.outcome === 'applied');
        expect(changed).toHaveLength(1);
        expect(changed[0]?.response).toBe('UPDATE_IDM_FROM_RESOURCE');
        expect(changed[0]?.diff?.member?.after).toHaveLength(3);
        expect(events.filter((e) => e.outcome === 'unchanged')).toHaveLength(1);
        expect(await idmMemberships(db())).toEqual(['eng:E1', 'eng:E2', 'eng:E3', 'ops:E3']);
        // Only the group whose members changed is a new IDM version.
        const after = await groupVersions(db());
        expect(after.eng).toBeGreaterThan(before.eng as number);
        expect(after.ops).toBe(before.ops);

        // The IDM is now the source for memberships: its attributeSync sends `member` to the system only.
        await db()
          .orm.update(reconConfigs)
          .set({ attributeSync: { member: { direction: 'toSystem' } } })
          .where(eq(reconConfigs.id, groups));
        await setSituations(db(), groups, { IDM_EXISTS__RESOURCE_EXISTS: 'UPDATE_RESOURCE_FROM_IDM' });
        await db().rows(sql`
          delete from idm_memberships m using idm_objects g, idm_objects u
          where g.id = m.target_id and u.id = m.member_id and ${cnOf('g.')} = 'eng' and u.employee_id = 'E2'`);
        const removed = await runToEnd(service, db(), { configId: groups });
        expect(removed.status).toBe('succeeded');
        const applied = (await eventsOf(db(), removed.id)).filter((e) => e.outcome === 'applied');
        expect(applied.map((e) => e.response)).toEqual(['UPDATE_RESOURCE_FROM_IDM']);
        expect(await dir.members('eng')).toEqual(['ann', 'cid']);
        expect(await dir.members('ops')).toEqual(['cid']);

        // Nothing left to do: the system and the IDM agree.
        const settled = await runToEnd(service, db(), { configId: groups });
        expect((await eventsOf(db(), settled.id)).map((e) => e.outcome)).toEqual(['unchanged', 'unchanged']);
      });
    });
  }
});
