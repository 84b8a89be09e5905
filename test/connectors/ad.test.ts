import { randomBytes } from 'node:crypto';
import { Attribute, Change, Client, Control } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnector } from '../../server/connectors/index.ts';
import type { Connector, Page, SearchRequest } from '../../server/core/connector-port.ts';
import type { Account } from '../../server/core/model.ts';
import {
  adminDn,
  adminPassword,
  bulkCount,
  bulkOu,
  dcHostName,
  domainDn,
  type SambaInfo,
  sambaAvailable,
  useSamba,
} from '../helpers/samba.ts';

/** The LDAP connector's Active Directory mode against a real Samba AD domain controller. */
async function collect(connector: Connector, request: SearchRequest = {}): Promise<Page[]> {
  const pages: Page[] = [];
  for await (const page of connector.search(request)) pages.push(page);
  return pages;
}
const accounts = (pages: Page[]) => pages.flatMap((p) => p.accounts);
const byName = (list: Account[]) => new Map(list.map((a) => [String(a.attributes.sAMAccountName), a]));
const replace = (type: string, values: string[]) =>
  new Change({ operation: 'replace', modification: new Attribute({ type, values }) });

describe.runIf(sambaAvailable())('LDAP connector in AD mode against a real Samba DC', () => {
  let dc: SambaInfo;
  let admin: Client;
  // Each test file works in its own OU: the DC is shared by the whole test run.
  const ou = `OU=ad-${randomBytes(4).toString('hex')},${domainDn}`;
  const userDn = (name: string) => `CN=${name},${ou}`;
  const groupDn = `CN=engineers,${ou}`;
  const adBase = () => ({
    url: dc.url,
    bindDn: adminDn,
    baseDn: ou,
    watermarkAttribute: 'uSNChanged',
    disable: { mode: 'ad' },
    entitlementAttribute: 'memberOf',
    objectClasses: ['top', 'person', 'organizationalPerson', 'user'],
  });
  const system = (extra: Record<string, unknown> = {}, uniqueFieldKey = 'objectGUID') =>
    createConnector({
      type: 'ldap',
      uniqueFieldKey,
      connection: { ...adBase(), ...extra },
      secrets: { bindPassword: adminPassword },
    });
  const read = async (dn: string, attributes: string[]) => {
    const { searchEntries } = await admin.search(dn, {
      scope: 'base',
      attributes,
      explicitBufferAttributes: ['objectGUID'],
    });
    return searchEntries[0] as Record<string, unknown>;
  };

  beforeAll(async () => {
    dc = await useSamba();
    admin = new Client({ url: dc.url });
    await admin.bind(adminDn, adminPassword);
    await admin.add(ou, { objectClass: ['top', 'organizationalUnit'] });
    for (const [name, id] of [
      ['ada', 'E1'],
      ['alan', 'E2'],
      ['grace', 'E3'],
    ] as const) {
      await admin.add(userDn(name), {
        objectClass: ['top', 'person', 'organizationalPerson', 'user'],
        sAMAccountName: `${name}-${ou.slice(6, 14)}`,
        employeeID: id,
        mail: `${name}@example.test`,
        // A normal account that needs no password (0x200 | 0x20): enabled without one.
        userAccountControl: '544',
      });
    }
    await admin.add(groupDn, {
      objectClass: ['top', 'group'],
      sAMAccountName: `engineers-${ou.slice(6, 14)}`,
      member: [userDn('ada'), userDn('alan')],
    });
  });
  afterAll(async () => {
    if (admin) {
      await admin.del(ou, new Control('1.2.840.113556.1.4.805', { critical: true })).catch(() => {});
      await admin.unbind();
    }
  });

  it('keys accounts by objectGUID (16 bytes, base64) and writes to the entry that GUID names', async () => {
    const connector = system();
    const found = accounts(
      await collect(connector, {
        query: { type: 'ldap', filter: '(objectClass=user)' },
        attributes: ['sAMAccountName', 'employeeID', 'mail'],
      }),
    );
    expect(found).toHaveLength(3);
    const ada = await read(userDn('ada'), ['objectGUID']);
    const guid = (ada.objectGUID as Buffer).toString('base64');
    const account = found.find((a) => a.attributes.employeeID === 'E1');
    expect(account?.key).toBe(guid);
    expect(Buffer.from(account?.key ?? '', 'base64')).toHaveLength(16);
    expect(account?.attributes.objectGUID).toBe(guid);

    // The GUID, as trueup holds it (base64), finds the entry byte for byte.
    expect(await connector.write([{ op: 'update', key: guid, patch: { title: 'Countess' } }])).toEqual([
      { ok: true },
    ]);
    expect((await read(userDn('ada'), ['title'])).title).toBe('Countess');
    const nobody = randomBytes(16).toString('base64');
    // Reading by key (keys runs, live changes): GUIDs as bytes, unknown and malformed keys absent.
    const looked = await connector.lookup?.([guid, nobody, 'not base64!'], { attributes: ['employeeID'] });
    expect(looked).toEqual([{ key: guid, attributes: { objectGUID: guid, employeeID: 'E1' } }]);
    expect(await connector.write([{ op: 'update', key: nobody, patch: { title: 'x' } }])).toEqual([
      { ok: false, message: `no entry with objectGUID "${nobody}"` },
    ]);
    // AD assigns objectGUID: a create keyed by it is refused with a reason, not sent to the DC.
    const [created] = await connector.write([{ op: 'create', key: nobody, attributes: { cn: 'x' } }]);
    expect(created).toMatchObject({
      ok: false,
      message: expect.stringContaining('assigned by the directory'),
    });
    // The connection test names the bound user and the base DN.
    expect(await connector.test()).toEqual({
      ok: true,
      message: `bound as "${adminDn}"; base DN "${ou}" found`,
    });
    const wrong = createConnector({
      type: 'ldap',
      uniqueFieldKey: 'objectGUID',
      connection: adBase(),
      secrets: { bindPassword: 'not-the-password' },
    });
    expect(await wrong.test()).toEqual({
      ok: false,
      message: `the LDAP server ${dc.url} refused the credentials of "${adminDn}": check the bind DN and password, then run again`,
    });
  });

  it("values follow AD's schema: one value where it is SINGLE-VALUE, lists elsewhere; look-ups under the query", async () => {
    const connector = system();
    const query = { type: 'ldap' as const, filter: '(objectClass=user)' };
    const users = byName(
      accounts(
        await collect(connector, {
          query,
          attributes: ['sAMAccountName', 'mail', 'employeeID', 'memberOf', 'otherMailbox', 'objectClass'],
        }),
      ),
    );
    const ada = users.get(`ada-${ou.slice(6, 14)}`)?.attributes;
    // mail, employeeID and sAMAccountName are single-valued in AD (unlike mail in OpenLDAP).
    expect(ada).toMatchObject({
      mail: 'ada@example.test',
      employeeID: 'E1',
      memberOf: [groupDn],
      otherMailbox: [],
      objectClass: ['top', 'person', 'organizationalPerson', 'user'],
    });
    const key = users.get(`ada-${ou.slice(6, 14)}`)?.key as string;
    // The group is under the base DN too, but the run's query reads users only.
    const group = accounts(
      await collect(connector, { query: { type: 'ldap', filter: '(objectClass=group)' } }),
    );
    expect(await connector.lookup?.([key, group[0]?.key as string], { query, attributes: ['mail'] })).toEqual(
      [{ key, attributes: { objectGUID: key, mail: 'ada@example.test' } }],
    );
  });

  it('reads only what changed since a uSNChanged watermark', async () => {
    const connector = system();
    const full = await collect(connector, { attributes: ['sAMAccountName', 'title'] });
    const mark = full.at(-1)?.watermark as string;
    expect(mark).toMatch(/^\d+$/);
    const highest = Math.max(
      ...(await Promise.all(
        ['ada', 'alan', 'grace'].map(async (n) => Number((await read(userDn(n), ['uSNChanged'])).uSNChanged)),
      )),
      Number((await read(groupDn, ['uSNChanged'])).uSNChanged),
      Number((await read(ou, ['uSNChanged'])).uSNChanged),
    );
    expect(Number(mark)).toBe(highest);

    await admin.modify(userDn('grace'), [replace('title', ['Rear Admiral'])]);
    const delta = await collect(connector, { watermark: mark, attributes: ['sAMAccountName', 'title'] });
    const changed = accounts(delta);
    // `>=`: the entry that carried the watermark comes back too (harmless: it is unchanged).
    const names = changed.map((a) => String(a.attributes.sAMAccountName).split('-')[0]);
    expect(names).toContain('grace');
    expect(changed.length).toBeLessThanOrEqual(2);
    expect(
      changed.find((a) => String(a.attributes.sAMAccountName).startsWith('grace'))?.attributes.title,
    ).toBe('Rear Admiral');
    const after = delta.at(-1)?.watermark as string;
    expect(Number(after)).toBe(Number((await read(userDn('grace'), ['uSNChanged'])).uSNChanged));
    expect(Number(after)).toBeGreaterThan(Number(mark));
    // Nothing changed since: only the entry at the watermark itself.
    const quiet = accounts(await collect(connector, { watermark: after, attributes: ['sAMAccountName'] }));
    expect(quiet.map((a) => String(a.attributes.sAMAccountName).split('-')[0])).toEqual(['grace']);
  });

  it('disables and enables through the ACCOUNTDISABLE bit of userAccountControl, keeping other flags', async () => {
    const connector = system();
    const alan = accounts(
      await collect(connector, { searchFilter: '(employeeID=E2)', attributes: ['accountDisabled'] }),
    );
    expect(alan.map((a) => a.attributes)).toEqual([{ objectGUID: alan[0]?.key, accountDisabled: false }]);
    const key = alan[0]?.key as string;
    expect(alan[0] && connector.isDisabled?.(alan[0])).toBe(false);

    expect(await connector.write([{ op: 'disable', key }])).toEqual([{ ok: true }]);
    expect(Number((await read(userDn('alan'), ['userAccountControl'])).userAccountControl)).toBe(546);
    // isDisabled reads the bit even when the policy map leaves userAccountControl out.
    const [lean] = (await connector.lookup?.([key], { attributes: ['employeeID'] })) ?? [];
    expect(lean?.attributes).toEqual({ objectGUID: key, employeeID: 'E2' });
    expect(lean && connector.isDisabled?.(lean)).toBe(true);
    const disabled = accounts(
      await collect(connector, {
        query: {
          type: 'ldap',
          filter: '(&(objectClass=user)(userAccountControl:1.2.840.113556.1.4.803:=2))',
        },
        attributes: ['accountDisabled', 'userAccountControl'],
      }),
    );
    expect(
      disabled.map((a) => [a.key, a.attributes.accountDisabled, a.attributes.userAccountControl]),
    ).toEqual([[key, true, '546']]);

    expect(await connector.write([{ op: 'update', key, patch: { accountDisabled: false } }])).toEqual([
      { ok: true },
    ]);
    expect(Number((await read(userDn('alan'), ['userAccountControl'])).userAccountControl)).toBe(544);
    // An account created from the IDM (keyed by sAMAccountName: AD assigns the GUID) comes out
    // enabled when the IDM says so, although AD creates it disabled for want of a password.
    const named = system({ rdnAttribute: 'cn', createContainer: ou }, 'sAMAccountName');
    const linus = `linus-${ou.slice(6, 14)}`;
    expect(
      await named.write([
        { op: 'create', key: linus, attributes: { cn: 'Linus', sn: 'T', accountDisabled: false } },
      ]),
    ).toEqual([{ ok: true }]);
    expect(Number((await read(userDn('Linus'), ['userAccountControl'])).userAccountControl)).toBe(544);
    expect(
      await named.write([
        { op: 'disable', key: linus },
        { op: 'delete', key: linus },
      ]),
    ).toEqual([{ ok: true }, { ok: true }]);
    // Idempotent both ways.
    expect(await connector.write([{ op: 'update', key, patch: { accountDisabled: 'false' } }])).toEqual([
      { ok: true },
    ]);
    expect(Number((await read(userDn('alan'), ['userAccountControl'])).userAccountControl)).toBe(544);
  });

  it(`pages through the ${bulkCount} users of ${bulkOu}`, async () => {
    const connector = system({ baseDn: bulkOu, pageSize: 300 });
    const pages = await collect(connector, {
      query: { type: 'ldap', filter: '(objectClass=user)' },
      attributes: ['sAMAccountName', 'employeeID'],
    });
    const all = accounts(pages);
    expect(all).toHaveLength(bulkCount);
    expect(pages.length).toBeGreaterThanOrEqual(Math.ceil(bulkCount / 300));
    expect(Math.max(...pages.map((p) => p.accounts.length))).toBeLessThanOrEqual(300);
    expect(new Set(all.map((a) => a.key)).size).toBe(bulkCount);
    expect(all.every((a) => Buffer.from(a.key, 'base64').length === 16)).toBe(true);
    expect(new Set(all.map((a) => a.attributes.employeeID)).size).toBe(bulkCount);
  });

  it('shows groups as memberOf entitlements and member lists, as DNs or as member keys', async () => {
    const users = byName(
      accounts(await collect(system(), { query: { type: 'ldap', filter: '(objectClass=user)' } })),
    );
    const short = (name: string) => `${name}-${ou.slice(6, 14)}`;
    expect(users.get(short('ada'))?.attributes.memberOf).toEqual([groupDn]);
    expect(users.get(short('grace'))?.attributes.memberOf).toEqual([]);

    // With member/memberOf as references they name keys: the objectGUIDs of the linked accounts.
    const keyed = system({ referenceAttributes: ['member', 'memberOf'] });
    const groups = accounts(
      await collect(keyed, {
        query: { type: 'ldap', filter: '(objectClass=group)' },
        attributes: ['member'],
      }),
    );
    const guidOf = async (dn: string) =>
      ((await read(dn, ['objectGUID'])).objectGUID as Buffer).toString('base64');
    expect(groups).toHaveLength(1);
    expect([...((groups[0]?.attributes.member ?? []) as string[])].sort()).toEqual(
      [await guidOf(userDn('ada')), await guidOf(userDn('alan'))].sort(),
    );
    const keyedUsers = accounts(
      await collect(keyed, { searchFilter: '(employeeID=E1)', attributes: ['memberOf'] }),
    );
    expect(keyedUsers[0]?.attributes.memberOf).toEqual([groups[0]?.key]);

    // Writing member as keys: grace joins, alan leaves.
    const member = [await guidOf(userDn('ada')), await guidOf(userDn('grace'))];
    expect(await keyed.write([{ op: 'update', key: groups[0]?.key as string, patch: { member } }])).toEqual([
      { ok: true },
    ]);
    const stored = (await read(groupDn, ['member'])).member as string[];
    expect([...stored].sort()).toEqual([userDn('ada'), userDn('grace')].sort());
    expect((await read(userDn('grace'), ['memberOf'])).memberOf).toBe(groupDn);
  });

  it('speaks LDAPS and StartTLS, accepting the DC’s own certificate through its CA', async () => {
    const tls = { ca: dc.ca, servername: dcHostName };
    const ldaps = system({ url: dc.ldapsUrl, tlsOptions: tls });
    expect(await ldaps.test()).toMatchObject({ ok: true });
    expect(
      accounts(await collect(ldaps, { searchFilter: '(employeeID=E3)', attributes: ['mail'] })),
    ).toHaveLength(1);
    const startTls = system({ startTls: true, tlsOptions: tls });
    expect(await startTls.test()).toMatchObject({ ok: true });
    expect(await startTls.write([{ op: 'update', key: 'nobody', patch: {} }])).toEqual([
      { ok: false, message: expect.stringContaining('not base64') },
    ]);
    // Without the CA the self-signed certificate is refused; with it but the wrong name, too.
    const untrusted = await system({ url: dc.ldapsUrl }).test();
    expect(untrusted).toMatchObject({
      ok: false,
      message: expect.stringMatching(
        /^TLS with the LDAP server ldaps:\/\/.+ failed \(.+\): check that it speaks TLS there .+, then run again$/,
      ),
    });
    const wrongName = await system({ startTls: true, tlsOptions: { ca: dc.ca } }).test();
    expect(wrongName).toMatchObject({ ok: false, message: expect.stringMatching(/TLS/) });
  });
});
