import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createConnector } from '../../server/connectors/index.ts';
import type { Connector, Page, SearchRequest } from '../../server/core/connector-port.ts';
import type { Account } from '../../server/core/model.ts';
import { rootDn, rootPassword, type Slapd, slapdAvailable, startSlapd, suffix } from '../helpers/slapd.ts';
import { guid, seedLdif } from './ldap-seed.ts';

/**
 * What an LDAP read gives, against a real slapd: values shaped by the directory's schema (and as
 * before when the schema cannot be read), an entry without its key as a read problem, look-ups
 * under the search's query, and isDisabled whatever the policy map asks for.
 */
async function pagesOf(connector: Connector, request: SearchRequest = {}): Promise<Page[]> {
  const pages: Page[] = [];
  for await (const page of connector.search(request)) pages.push(page);
  return pages;
}
const accountsOf = async (connector: Connector, request: SearchRequest = {}) =>
  (await pagesOf(connector, request)).flatMap((p) => p.accounts);
const byKey = (accounts: Account[]) => Object.fromEntries(accounts.map((a) => [a.key, a.attributes]));
const keysOf = (accounts: Account[] | undefined) => accounts?.map((a) => a.key).sort();

const readerDn = `cn=reader,${suffix}`;
const readerPassword = 'reader-secret';
/** Entries the people seed lacks: one without an employee number, one with two uids. */
const oddOnes = `
dn: cn=no number,ou=people,${suffix}
objectClass: inetOrgPerson
cn: no number
sn: Number
uid: nonumber

dn: cn=two uids,ou=people,${suffix}
objectClass: inetOrgPerson
cn: two uids
sn: Uids
uid: first
uid: second
employeeNumber: E9

dn: ${readerDn}
objectClass: person
cn: reader
sn: reader
userPassword: ${readerPassword}
`;

describe.runIf(slapdAvailable())('LDAP reads against a real slapd', () => {
  let slapd: Slapd;
  let hidden: Slapd;
  const system = (
    server: Slapd,
    uniqueFieldKey: string,
    extra: Record<string, unknown> = {},
    bind = { bindDn: rootDn, bindPassword: rootPassword },
  ) =>
    createConnector({
      type: 'ldap',
      uniqueFieldKey,
      connection: { url: server.url, bindDn: bind.bindDn, baseDn: `ou=people,${suffix}`, ...extra },
      secrets: { bindPassword: bind.bindPassword },
    });

  beforeAll(async () => {
    slapd = await startSlapd(`${seedLdif()}\n${oddOnes}`);
    // A directory that lets its readers read entries but not its schema.
    hidden = await startSlapd(`${seedLdif()}\n${oddOnes}`, {
      access: ['access to dn.base="cn=Subschema" by * none', 'access to * by * read'],
    });
  });
  afterAll(async () => {
    await slapd?.stop();
    await hidden?.stop();
  });

  it('every entry gets the same shape: lists for multi-valued types, one value for SINGLE-VALUE ones', async () => {
    const all = byKey(await accountsOf(system(slapd, 'uid'), { searchFilter: '(employeeNumber=*)' }));
    // Without a policy map every attribute comes, each shaped by the schema.
    expect(all.ada).toMatchObject({
      uid: 'ada',
      cn: ['Ada Lovelace'],
      sn: ['Lovelace'],
      mail: ['ada@example.test', 'countess@example.test'],
      employeeNumber: 'E1',
      userAccountControl: '512',
      objectGUID: guid.toString('base64'),
      objectClass: ['inetOrgPerson', 'adLikeAccount'],
    });
    expect(all.grace).toMatchObject({
      cn: ['Grace Hopper'],
      mail: ['grace@example.test'],
      employeeNumber: 'E2',
    });
    expect(all.alan).not.toHaveProperty('mail');
    const mapped = byKey(
      await accountsOf(system(slapd, 'uid'), { attributes: ['cn', 'mail', 'employeeNumber', 'title'] }),
    );
    for (const name of ['ada', 'grace', 'alan', 'mallory']) {
      expect(Array.isArray(mapped[name]?.cn)).toBe(true);
      expect(Array.isArray(mapped[name]?.mail)).toBe(true);
      expect(Array.isArray(mapped[name]?.title)).toBe(true);
      expect(typeof mapped[name]?.employeeNumber).toBe('string');
    }
    expect(mapped.alan).toEqual({
      uid: 'alan',
      cn: ['Alan Turing'],
      mail: [],
      employeeNumber: 'E3',
      title: [],
    });
  });

  it('a directory that hides its schema: values as read (one value a scalar), and a warning says so', async () => {
    const warnings: Error[] = [];
    const listen = (warning: Error) => warnings.push(warning);
    process.on('warning', listen);
    try {
      const reader = { bindDn: readerDn, bindPassword: readerPassword };
      const connector = system(hidden, 'uid', {}, reader);
      const found = byKey(await accountsOf(connector, { attributes: ['cn', 'mail', 'employeeNumber'] }));
      expect(found.ada).toEqual({
        uid: 'ada',
        cn: 'Ada Lovelace',
        mail: ['ada@example.test', 'countess@example.test'],
        employeeNumber: 'E1',
      });
      expect(found.grace?.mail).toBe('grace@example.test');
      expect(found.alan?.mail).toBeNull();
      // Read once per connector: a look-up after the search does not warn again.
      expect(keysOf(await connector.lookup?.(['ada'], { attributes: ['cn'] }))).toEqual(['ada']);
      await new Promise((resolve) => setImmediate(resolve));
      const said = warnings.filter((w) => (w as { code?: string }).code === 'TRUEUP_LDAP_SCHEMA');
      expect(said.map((w) => w.message)).toEqual([
        `the LDAP server ${hidden.url} does not let "${readerDn}" read its schema (subschemaSubentry): attributes are read as before, a list only when an entry has several values`,
      ]);
    } finally {
      process.off('warning', listen);
    }
  });

  it('an entry without the unique field key, or with two, is a read problem naming its DN', async () => {
    const pages = await pagesOf(system(slapd, 'employeeNumber'), { attributes: ['cn'] });
    expect(pages.flatMap((p) => p.problems)).toEqual([
      {
        key: `cn=no number,ou=people,${suffix}`,
        message: `entry cn=no number,ou=people,${suffix} has no "employeeNumber" (the unique field key): give it one, or leave it out of the system's search filter`,
      },
    ]);
    const byUid = await pagesOf(system(slapd, 'uid'), { attributes: ['cn'] });
    expect(byUid.flatMap((p) => p.problems)).toEqual([
      {
        key: `cn=two uids,ou=people,${suffix}`,
        message: `entry cn=two uids,ou=people,${suffix} has 2 values of "uid" (the unique field key, which must have one): give it one, or leave it out of the system's search filter`,
      },
    ]);
    // ou=people has no key either, but it is a container, not an account.
    expect(keysOf(byUid.flatMap((p) => p.accounts))).toEqual(['ada', 'alan', 'grace', 'mallory', 'nonumber']);
  });

  it("look-ups read under the search's query: its filter, base DN and scope, or the search filter", async () => {
    const connector = system(slapd, 'uid');
    const query = { type: 'ldap' as const, filter: '(employeeNumber=E1)' };
    expect(keysOf(await accountsOf(connector, { query }))).toEqual(['ada']);
    // grace exists, but the run's query leaves her out: absent from the look-up as from the search.
    expect(keysOf(await connector.lookup?.(['ada', 'grace'], { query, attributes: ['cn'] }))).toEqual([
      'ada',
    ]);
    expect(
      keysOf(await connector.lookup?.(['ada', 'grace'], { searchFilter: 'mail=grace@example.test' })),
    ).toEqual(['grace']);
    const elsewhere = { type: 'ldap' as const, filter: '(objectClass=*)', baseDn: `ou=groups,${suffix}` };
    expect(await connector.lookup?.(['ada'], { query: elsewhere })).toEqual([]);
    // A DN read by base search must still match the filter, and lie within the query's scope.
    const byDn = system(slapd, 'dn');
    const dn = (uid: string) => `uid=${uid},ou=people,${suffix}`;
    expect(keysOf(await byDn.lookup?.([dn('ada'), dn('grace')], { query }))).toEqual([dn('ada')]);
    expect(await byDn.lookup?.([dn('ada')], { query: elsewhere })).toEqual([]);
    const oneLevel = {
      type: 'ldap' as const,
      filter: '(objectClass=*)',
      baseDn: suffix,
      scope: 'one' as const,
    };
    expect(await byDn.lookup?.([dn('ada')], { query: oneLevel })).toEqual([]);
    // A binary key (objectGUID) is matched as bytes, ANDed with the query's filter.
    const byGuid = system(slapd, 'objectGUID');
    const key = guid.toString('base64');
    expect(keysOf(await byGuid.lookup?.([key], { query }))).toEqual([key]);
    expect(await byGuid.lookup?.([key], { query: { type: 'ldap', filter: '(uid=grace)' } })).toEqual([]);
  });

  describe('isDisabled', () => {
    const restore: Array<() => Promise<unknown>> = [];
    afterEach(async () => {
      for (const undo of restore.splice(0)) await undo();
    });

    it('{ attribute, value }: read whatever the policy map asks, and not added to the account', async () => {
      const connector = system(slapd, 'uid', { disable: { attribute: 'employeeType', value: 'Disabled' } });
      expect(await connector.write([{ op: 'disable', key: 'grace' }])).toEqual([{ ok: true }]);
      restore.push(() => connector.write([{ op: 'update', key: 'grace', patch: { employeeType: null } }]));
      const lean = await accountsOf(connector, { attributes: ['cn'] });
      expect(byKey(lean).grace).toEqual({ uid: 'grace', cn: ['Grace Hopper'] });
      const state = (accounts: Account[]) =>
        Object.fromEntries(accounts.map((a) => [a.key, connector.isDisabled?.(a)]));
      // Read enabled, without the attribute in the account: it does not say.
      expect(state(lean)).toMatchObject({ grace: true, ada: undefined });
      const full = await accountsOf(connector, { attributes: ['cn', 'employeeType'] });
      expect(state(full)).toMatchObject({ grace: true, ada: false, alan: false });
      // A fresh connector learns it from a look-up (a drift check, a keys run).
      const fresh = system(slapd, 'uid', { disable: { attribute: 'employeeType', value: 'disabled' } });
      const [grace] = (await fresh.lookup?.(['grace'], { attributes: ['cn'] })) ?? [];
      expect(grace && fresh.isDisabled?.(grace)).toBe(true);
      expect(system(slapd, 'uid').isDisabled).toBeUndefined();
    });

    it("{ mode: 'ad' }: the ACCOUNTDISABLE bit of userAccountControl", async () => {
      const connector = system(slapd, 'uid', { disable: { mode: 'ad' } });
      expect(await connector.write([{ op: 'disable', key: 'alan' }])).toEqual([{ ok: true }]);
      restore.push(() =>
        connector.write([{ op: 'update', key: 'alan', patch: { userAccountControl: '512' } }]),
      );
      const lean = await accountsOf(connector, { attributes: ['cn'] });
      expect(byKey(lean).alan).toEqual({ uid: 'alan', cn: ['Alan Turing'] });
      const state = (accounts: Account[]) =>
        Object.fromEntries(accounts.map((a) => [a.key, connector.isDisabled?.(a)]));
      expect(state(lean)).toMatchObject({ alan: true, ada: undefined });
      const derived = await accountsOf(connector, { attributes: ['accountDisabled'] });
      expect(byKey(derived).alan).toEqual({ uid: 'alan', accountDisabled: true });
      expect(state(derived)).toMatchObject({ alan: true, ada: false, grace: false });
      const raw = await accountsOf(connector, { attributes: ['userAccountControl'] });
      expect(state(raw)).toMatchObject({ alan: true, ada: false });
    });
  });
});
