import { Attribute, Change, Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertIdm } from '../converge/converge-fixture.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.ts';
import {
  baseLdif,
  rootDn,
  rootPassword,
  type Slapd,
  slapdAvailable,
  startSlapd,
  suffix,
} from '../helpers/slapd.ts';
import { eventRows } from '../review/review-fixture.ts';
import { createUndoApi, type UndoApi } from './undo-fixture.ts';

/**
 * Undo against a real OpenLDAP slapd (docs/api.md "Undo, explain, replay, diff"): a deleted entry
 * is re-created from its before-image with its groups, updates get their before-values back, only
 * the entries a run created are deleted, an entry changed since the run is skipped with the
 * reason, what a directory assigns itself is listed before anything is applied, and an undo can
 * itself be undone. One OU per test, each with its own system and config.
 */
const ou = (cell: string) => `ou=${cell},${suffix}`;
const dnOf = (cell: string, uid: string) => `uid=${uid},${ou(cell)}`;
const readAttributes = ['uid', 'cn', 'sn', 'mail', 'employeeNumber', 'title', 'memberOf', 'objectGUID'];

type Person = { uid: string; name: string; number: string; title: string };
const person = (uid: string, number: string, title: string): Person => ({
  uid,
  name: `${uid[0]?.toUpperCase()}${uid.slice(1)} Tester`,
  number,
  title,
});
const entry = (p: Person) => ({
  objectClass: ['top', 'person', 'organizationalPerson', 'inetOrgPerson'],
  uid: p.uid,
  cn: p.name,
  sn: 'Tester',
  mail: `${p.uid}@example.test`,
  employeeNumber: p.number,
  title: p.title,
});
/** The IDM user of a person, with the attributes the directory holds (the DN names where it goes). */
const idmUser = (cell: string, p: Person, title = p.title) => ({
  dn: dnOf(cell, p.uid),
  uid: [p.uid],
  cn: [p.name],
  sn: 'Tester',
  mail: [`${p.uid}@example.test`],
  employeeNumber: p.number,
  title,
  employeeId: p.number,
  name: p.name,
  // Each test's config answers for its own people only.
  cell,
});

const change = (operation: 'add' | 'replace', type: string, value: string | Buffer) =>
  new Change({ operation, modification: new Attribute({ type, values: [value] as string[] }) });

describe.runIf(slapdAvailable())('undo a run against OpenLDAP slapd', () => {
  let slapd: Slapd;
  let db: TestDatabase;
  let api: UndoApi;
  let client: Client;
  beforeAll(async () => {
    slapd = await startSlapd(baseLdif);
    db = await createTestDatabase('pglite');
    api = await createUndoApi(db);
    client = new Client({ url: slapd.url });
    await client.bind(rootDn, rootPassword);
  });
  afterAll(async () => {
    await client?.unbind();
    await api?.services.policyRunner.close();
    await db?.close();
    await slapd?.stop();
  });

  /** An OU with these people, and a system keyed by DN over it with one User config. */
  const directory = async (cell: string, people: Person[], policyMap = readAttributes) => {
    await client.add(ou(cell), { objectClass: ['top', 'organizationalUnit'], ou: cell });
    for (const p of people) await client.add(dnOf(cell, p.uid), entry(p));
    return api.system(
      {
        name: `Directory ${cell}`,
        type: 'ldap',
        attributes: policyMap,
        trusted: false,
        uniqueFieldKey: 'dn',
        connection: {
          url: slapd.url,
          bindDn: rootDn,
          bindPassword: rootPassword,
          baseDn: ou(cell),
          rdnAttribute: 'uid',
          referenceAttributes: ['memberOf'],
          disable: { attribute: 'employeeType', value: 'disabled' },
        },
      },
      {
        targetSearchFilter: '(objectClass=inetOrgPerson)',
        sourceAttributeName: 'employeeNumber',
        idmField: 'employeeId',
        idmSearchFilter: { cell },
        policyMap,
      },
    );
  };
  /** An entry as the directory holds it now (null: gone), with its groups. */
  const read = async (dn: string) => {
    try {
      const { searchEntries } = await client.search(dn, {
        scope: 'base',
        attributes: ['uid', 'cn', 'sn', 'mail', 'employeeNumber', 'title', 'memberOf', 'employeeType'],
      });
      const [found] = searchEntries;
      if (!found) return null;
      const { dn: _dn, ...attributes } = found;
      return attributes;
    } catch (error) {
      if ((error as Error).name === 'NoSuchObjectError') return null;
      throw error;
    }
  };
  const members = async (groupDn: string) => {
    const { searchEntries } = await client.search(groupDn, { scope: 'base', attributes: ['member'] });
    const member = searchEntries[0]?.member ?? [];
    return (Array.isArray(member) ? member : [member]).map((m) => String(m).toLowerCase()).sort();
  };

  it('(a, f, g) a DELETE_FROM_RESOURCE is undone: the entry comes back with its attributes and groups; what the directory assigns is listed first; the undo undoes', async () => {
    const cell = 'del';
    const ada = person('ada', 'E1', 'Engineer');
    const bob = person('bob', 'E2', 'Clerk');
    const eve = person('eve', 'E9', 'Auditor');
    const { configId } = await directory(cell, [ada, bob, eve]);
    // What a directory assigns itself, and a password no read returns.
    await client.modify(dnOf(cell, 'ada'), [
      change('add', 'objectClass', 'adLikeAccount'),
      change('add', 'objectGUID', Buffer.from('0123456789abcdef')),
      change('add', 'userPassword', 'ada-secret'),
    ]);
    const staff = `cn=staff,${ou(cell)}`;
    await client.add(staff, {
      objectClass: ['top', 'groupOfNames'],
      cn: 'staff',
      member: [dnOf(cell, 'ada'), dnOf(cell, 'bob'), dnOf(cell, 'eve')],
    });
    await insertIdm(db, 'User', idmUser(cell, bob));
    const before = await read(dnOf(cell, 'ada'));
    const eveBefore = await read(dnOf(cell, 'eve'));
    expect(before?.memberOf).toEqual(staff);
    const everyone = [dnOf(cell, 'ada'), dnOf(cell, 'bob'), dnOf(cell, 'eve')];

    await api.respond(configId, { IDM_NOT_EXISTS__RESOURCE_EXISTS: 'DELETE_FROM_RESOURCE' });
    const deleting = await api.run(configId);
    expect(deleting).toMatchObject({ status: 'succeeded', counts: { applied: { DELETE_FROM_RESOURCE: 2 } } });
    expect(await read(dnOf(cell, 'ada'))).toBeNull();
    // What a directory with referential integrity does on a delete (this slapd keeps the DNs).
    await client.modify(staff, [change('replace', 'member', dnOf(cell, 'bob'))]);

    const plan = await api.undo(deleting.id);
    // The entries re-created, then put back in their group by one write of it (the directory
    // writes memberOf itself).
    expect(plan.planned).toBe(3);
    const planned = (await eventRows(db, plan.runId)).filter((e) => e.outcome === 'planned');
    expect(planned.map((e) => e.object_key)).toEqual([dnOf(cell, 'ada'), dnOf(cell, 'eve'), staff]);
    // Listed before anything is applied: the objectGUID the directory assigns, and the password.
    expect(plan.notUndone.map((n) => [n.code, n.reason])).toEqual([
      [
        'partly',
        `"objectGUID" of "${dnOf(cell, 'ada')}" cannot be restored: the system assigns it (the account is re-created with a new one)`,
      ],
      [
        'partly',
        `the password of "${dnOf(cell, 'ada')}" cannot be restored: it was never read; the account is re-created without one`,
      ],
      [
        'partly',
        `the password of "${dnOf(cell, 'eve')}" cannot be restored: it was never read; the account is re-created without one`,
      ],
    ]);
    // The console's review page lists them too, before the plan is applied.
    const review = await api.consolePage(`/runs/${plan.runId}/review`);
    expect(review).toContain('What it restores only in part');
    expect(review).toContain(`the password of &quot;${dnOf(cell, 'ada')}&quot; cannot be restored`);
    expect(await read(dnOf(cell, 'ada'))).toBeNull();
    const applied = await api.apply(plan.runId, plan.planHash);
    expect(applied.status, JSON.stringify(await eventRows(db, applied.id))).toBe('succeeded');
    expect(applied.counts.applied).toEqual({ UNDO_DELETE_FROM_RESOURCE: 3 });
    expect(await read(dnOf(cell, 'ada'))).toEqual(before);
    expect(await read(dnOf(cell, 'eve'))).toEqual(eveBefore);
    expect(await members(staff)).toEqual(everyone);

    // Undoing the undo deletes the entries again and puts the group's list back; undoing that
    // brings them back once more.
    const again = await api.undoAndApply(applied.id);
    expect(again.plan).toMatchObject({ planned: 3, notUndone: [] });
    expect(await read(dnOf(cell, 'ada'))).toBeNull();
    expect(await members(staff)).toEqual([dnOf(cell, 'bob')]);
    const back = await api.undoAndApply(again.appliedId);
    // Both entries, the group's list as the undo before left it, and their membership.
    expect(back.plan).toMatchObject({ planned: 4 });
    expect(await read(dnOf(cell, 'ada'))).toEqual(before);
    expect(await read(dnOf(cell, 'eve'))).toEqual(eveBefore);
    expect(await members(staff)).toEqual(everyone);
  });

  it('(c, e) an UPDATE_RESOURCE_FROM_IDM is undone: the before-values are back; an entry changed since the run is skipped with the reason', async () => {
    const cell = 'upd';
    const carl = person('carl', 'E3', 'Old title');
    const dora = person('dora', 'E4', 'Old title');
    const policyMap = ['uid', 'cn', 'sn', 'mail', 'employeeNumber', 'title'];
    const { configId } = await directory(cell, [carl, dora], policyMap);
    for (const p of [carl, dora]) await insertIdm(db, 'User', idmUser(cell, p, 'New title'));
    const before = { carl: await read(dnOf(cell, 'carl')), dora: await read(dnOf(cell, 'dora')) };
    await api.respond(configId, { IDM_EXISTS__RESOURCE_EXISTS: 'UPDATE_RESOURCE_FROM_IDM' });
    const updating = await api.run(configId);
    expect(updating).toMatchObject({
      status: 'succeeded',
      counts: { applied: { UPDATE_RESOURCE_FROM_IDM: 2 } },
    });
    expect((await read(dnOf(cell, 'carl')))?.title).toBe('New title');
    // Someone edits dora by hand after the run.
    await client.modify(dnOf(cell, 'dora'), [change('replace', 'title', 'Set by hand')]);

    const plan = await api.undo(updating.id);
    expect(plan.planned).toBe(1);
    expect(plan.notUndone).toEqual([
      expect.objectContaining({
        objectKey: dnOf(cell, 'dora'),
        code: 'changed_since_run',
        reason: `account "${dnOf(cell, 'dora')}" changed ("title") since the run`,
      }),
    ]);
    const applied = await api.apply(plan.runId, plan.planHash);
    expect(applied.counts.applied).toEqual({ UNDO_UPDATE_RESOURCE_FROM_IDM: 1 });
    expect(await read(dnOf(cell, 'carl'))).toEqual(before.carl);
    expect((await read(dnOf(cell, 'dora')))?.title).toBe('Set by hand');
  });

  it('(d) an ADD_TO_RESOURCE is undone: the entries that run created are deleted, no other', async () => {
    const cell = 'add';
    const erin = person('erin', 'E5', 'Existing');
    const fay = person('fay', 'E6', 'New hire');
    const hal = person('hal', 'E8', 'Later hire');
    const policyMap = ['uid', 'cn', 'sn', 'mail', 'employeeNumber', 'title'];
    const { configId } = await directory(cell, [erin], policyMap);
    for (const p of [erin, fay]) await insertIdm(db, 'User', idmUser(cell, p));
    await api.respond(configId, { IDM_EXISTS__RESOURCE_NOT_EXISTS: 'ADD_TO_RESOURCE' });
    const adding = await api.run(configId);
    expect(adding, JSON.stringify(await eventRows(db, adding.id))).toMatchObject({
      status: 'succeeded',
      counts: { applied: { ADD_TO_RESOURCE: 1 } },
    });
    expect(await read(dnOf(cell, 'fay'))).not.toBeNull();
    // Created since, by hand and by a later run: not this run's to delete.
    await client.add(dnOf(cell, 'gus'), entry(person('gus', 'E7', 'By hand')));
    await insertIdm(db, 'User', idmUser(cell, hal));
    const later = await api.run(configId);
    expect(later.counts.applied).toEqual({ ADD_TO_RESOURCE: 1 });

    const { plan } = await api.undoAndApply(adding.id);
    expect(plan).toMatchObject({ planned: 1, notUndone: [] });
    expect(await read(dnOf(cell, 'fay'))).toBeNull();
    for (const uid of ['erin', 'gus', 'hal']) expect(await read(dnOf(cell, uid)), uid).not.toBeNull();
  });
});
