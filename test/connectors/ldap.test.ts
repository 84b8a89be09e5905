import { Attribute, Change, Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnector, ldapEscape, normaliseDn, parseConnection } from '../../server/connectors/index.ts';
import type { Connector, Page, SearchRequest, WriteOp } from '../../server/core/connector-port.ts';
import { rootDn, rootPassword, type Slapd, slapdAvailable, startSlapd, suffix } from '../helpers/slapd.ts';
import { guid, seedLdif } from './ldap-seed.ts';

const toGeneralized = (iso: string) => `${iso.slice(0, 19).replace(/[-:T]/g, '')}Z`;

async function collect(connector: Connector, request: SearchRequest = {}): Promise<Page[]> {
  const pages: Page[] = [];
  for await (const page of connector.search(request)) pages.push(page);
  return pages;
}
const accounts = (pages: Page[]) => pages.flatMap((p) => p.accounts);
const keys = (pages: Page[]) =>
  accounts(pages)
    .map((a) => a.key)
    .sort();

describe.runIf(slapdAvailable())('LDAP connector against a real slapd', () => {
  let slapd: Slapd;
  let base: Record<string, unknown>;
  const system = (uniqueFieldKey: string, extra: Record<string, unknown> = {}) =>
    createConnector({
      type: 'ldap',
      uniqueFieldKey,
      connection: { ...base, ...extra },
      secrets: { bindPassword: rootPassword },
    });

  beforeAll(async () => {
    slapd = await startSlapd(seedLdif());
    base = {
      url: slapd.url,
      bindDn: rootDn,
      baseDn: `ou=people,${suffix}`,
      entitlementAttribute: 'memberOf',
      disable: { mode: 'ad' },
      objectClasses: ['inetOrgPerson', 'adLikeAccount'],
    };
  });
  afterAll(async () => {
    await slapd?.stop();
  });

  it('pages through the directory; values shaped by the schema: lists for multi-valued types, one value for SINGLE-VALUE', async () => {
    const pages = await collect(system('uid'), {
      query: { type: 'ldap', filter: '(objectClass=inetOrgPerson)' },
      attributes: ['cn', 'mail', 'objectGUID', 'employeeNumber'],
      pageSize: 2,
    });
    expect(pages.map((p) => p.accounts.length)).toEqual([2, 2]);
    const ada = accounts(pages).find((a) => a.key === 'ada');
    // cn and mail are multi-valued in the standard schema: lists for every entry, even with one
    // value (grace) or none (alan); employeeNumber and objectGUID are SINGLE-VALUE: one value.
    expect(ada?.attributes).toEqual({
      uid: 'ada',
      cn: ['Ada Lovelace'],
      mail: ['ada@example.test', 'countess@example.test'],
      objectGUID: guid.toString('base64'),
      employeeNumber: 'E1',
    });
    expect(accounts(pages).find((a) => a.key === 'grace')?.attributes.mail).toEqual(['grace@example.test']);
    expect(accounts(pages).find((a) => a.key === 'alan')?.attributes).toEqual({
      uid: 'alan',
      cn: ['Alan Turing'],
      mail: [],
      objectGUID: null,
      employeeNumber: 'E3',
    });
    expect(pages.at(-1)?.watermark).toBe('2025-01-01T00:00:03.000Z');
    const schema = await system('uid').schema();
    expect(schema).toEqual(
      expect.arrayContaining([
        { name: 'cn', multiValued: true },
        { name: 'employeeNumber', multiValued: false },
        { name: 'mail', multiValued: true },
        { name: 'userAccountControl', multiValued: false },
      ]),
    );
  });

  it('keys accounts by normalised DN when the unique field key is dn', async () => {
    const pages = await collect(system('dn'), { searchFilter: 'uid=grace', attributes: ['cn'] });
    expect(accounts(pages)).toEqual([
      {
        key: `uid=grace,ou=people,${suffix}`,
        attributes: { cn: ['Grace Hopper'], dn: `uid=grace,ou=people,${suffix}` },
      },
    ]);
    expect(normaliseDn('UID=Grace , OU=People,dc=Example,dc=test')).toBe(`uid=grace,ou=people,${suffix}`);
  });

  it('looks accounts up by key: DNs with a base search, other keys escaped; missing keys are absent', async () => {
    const byDn = await system('dn').lookup?.(
      [`UID=Grace,ou=people,${suffix}`, `uid=nobody,ou=people,${suffix}`, `cn=admin,${suffix}`],
      { attributes: ['cn'] },
    );
    // cn=admin is outside the system's base DN: not this system's account.
    expect(byDn).toEqual([
      {
        key: `uid=grace,ou=people,${suffix}`,
        attributes: { cn: ['Grace Hopper'], dn: `uid=grace,ou=people,${suffix}` },
      },
    ]);
    const byUid = await system('uid').lookup?.(['grace', 'alan', '*', 'nobody'], { attributes: ['cn'] });
    expect(byUid?.map((a) => [a.key, a.attributes.cn]).sort()).toEqual([
      ['alan', ['Alan Turing']],
      ['grace', ['Grace Hopper']],
    ]);
  });

  it('an employee named `*)(uid=*` matches only itself once escaped', async () => {
    const name = '*)(uid=*';
    expect(ldapEscape(name)).toBe('\\2a\\29\\28uid=\\2a');
    const pages = await collect(system('uid'), {
      query: { type: 'ldap', filter: `(cn=${ldapEscape(name)})` },
    });
    expect(keys(pages)).toEqual(['mallory']);
    const none = await collect(system('uid'), {
      query: { type: 'ldap', filter: `(&(uid=grace)(cn=${ldapEscape(name)}))` },
    });
    expect(keys(none)).toEqual([]);
    // Writes find entries by key with the same escaping: updating key `*` touches nobody.
    expect(await system('uid').write([{ op: 'update', key: '*', patch: { sn: 'x' } }])).toEqual([
      { ok: false, message: 'no entry with uid "*"' },
    ]);
  });

  it('creates, updates, disables (AD bit) and deletes idempotently; groups show as memberOf', async () => {
    const connector = system('uid');
    const ops = [
      {
        op: 'create',
        key: 'linus',
        attributes: { cn: 'Linus T', sn: 'T', mail: ['l@x', 'l2@x'], title: null },
      },
      { op: 'update', key: 'grace', patch: { title: 'Rear Admiral', mail: null } },
      { op: 'disable', key: 'alan' },
      { op: 'delete', key: 'mallory' },
      { op: 'delete', key: 'nobody' },
    ] satisfies WriteOp[];
    expect(await connector.write([...ops])).toEqual(ops.map(() => ({ ok: true })));
    expect(await connector.write([...ops])).toEqual(ops.map(() => ({ ok: true })));
    const groups = createConnector({
      type: 'ldap',
      uniqueFieldKey: 'cn',
      connection: { ...base, baseDn: `ou=groups,${suffix}`, objectClasses: ['groupOfNames'] },
      secrets: { bindPassword: rootPassword },
    });
    const member = [`uid=ada,ou=people,${suffix}`, `uid=linus,ou=people,${suffix}`];
    expect(await groups.write([{ op: 'create', key: 'admins', attributes: { member } }])).toEqual([
      { ok: true },
    ]);
    const pages = await collect(connector, {
      attributes: ['cn', 'mail', 'title', 'userAccountControl', 'memberOf'],
    });
    const byKey = Object.fromEntries(accounts(pages).map((a) => [a.key, a.attributes]));
    expect(Object.keys(byKey).sort()).toEqual(['ada', 'alan', 'grace', 'linus']);
    expect(byKey.linus).toMatchObject({
      cn: ['Linus T'],
      mail: ['l@x', 'l2@x'],
      memberOf: [`cn=admins,ou=groups,${suffix}`],
    });
    expect(byKey.grace).toMatchObject({ title: ['Rear Admiral'], mail: [], memberOf: [] });
    expect(byKey.alan?.userAccountControl).toBe('514');
    const groupPages = await collect(groups, { attributes: ['member'] });
    expect(accounts(groupPages)).toEqual([{ key: 'admins', attributes: { cn: 'admins', member } }]);
    expect(await connector.write([{ op: 'update', key: 'ghost', patch: { sn: 'x' } }])).toEqual([
      { ok: false, message: 'no entry with uid "ghost"' },
    ]);
  });

  it('writes a large batch over several connections, each op answering for itself', async () => {
    const connector = system('uid');
    const creates = Array.from({ length: 240 }, (_, i) => ({
      op: 'create' as const,
      key: `bulk${i}`,
      attributes: { cn: `Bulk ${i}`, sn: 'B' },
    }));
    const answers = await connector.write([...creates, { op: 'update', key: 'ghost', patch: { sn: 'x' } }]);
    expect(answers.slice(0, 240).filter((a) => !a.ok)).toEqual([]);
    expect(answers[240]).toEqual({ ok: false, message: 'no entry with uid "ghost"' });
    const keysNow = async () => accounts(await collect(connector, { attributes: ['cn'] })).map((a) => a.key);
    expect((await keysNow()).filter((k) => k.startsWith('bulk'))).toHaveLength(240);
    // Create, then delete, of one entry in the same batch keep their order.
    const deletes = creates.map((op) => ({ op: 'delete' as const, key: op.key }));
    const again = [{ op: 'create' as const, key: 'bulk0', attributes: { cn: 'Again', sn: 'B' } }, ...deletes];
    expect(await connector.write(again)).toEqual(again.map(() => ({ ok: true })));
    expect((await keysNow()).filter((k) => k.startsWith('bulk'))).toEqual([]);
  });

  it('incremental: a change on the server is what the next search returns', async () => {
    const connector = system('uid');
    const full = await collect(connector, { attributes: ['sn', 'modifyTimestamp'] });
    const watermark = full.at(-1)?.watermark ?? null;
    // ou=people itself is in scope and has no uid: a container, skipped without a problem.
    expect(full.flatMap((p) => p.problems)).toEqual([]);
    expect(watermark).toMatch(/^\d{4}-\d\d-\d\dT/);
    // `>=` semantics: entries changed in the watermark's own second come back too (documented).
    const boundary = accounts(full)
      .filter((a) => a.attributes.modifyTimestamp === toGeneralized(watermark!))
      .map((a) => a.key);
    // Wait into the next second: modifyTimestamp has one-second resolution.
    await new Promise((resolve) => setTimeout(resolve, 1100 - (Date.now() % 1000)));
    const client = new Client({ url: slapd.url });
    await client.bind(rootDn, rootPassword);
    const sn = new Attribute({ type: 'sn', values: ['Byron'] });
    await client.modify(`uid=ada,ou=people,${suffix}`, [
      new Change({ operation: 'replace', modification: sn }),
    ]);
    await client.unbind();
    const delta = await collect(connector, { watermark, attributes: ['sn'] });
    expect(keys(delta)).toEqual([...new Set(['ada', ...boundary])].sort());
    expect(accounts(delta).find((a) => a.key === 'ada')?.attributes).toEqual({ uid: 'ada', sn: ['Byron'] });
    const next = await collect(connector, { watermark: delta.at(-1)?.watermark, attributes: ['sn'] });
    expect(keys(next)).toEqual(['ada']);
  });

  it('test() passes, and names each failure', async () => {
    const check = (extra: Record<string, unknown>, password = rootPassword) =>
      createConnector({
        type: 'ldap',
        uniqueFieldKey: 'uid',
        connection: { ...base, ...extra },
        secrets: { bindPassword: password },
      }).test();
    expect(await check({})).toEqual({
      ok: true,
      message: `bound as "${rootDn}"; base DN "ou=people,${suffix}" found`,
    });
    const denied = await check({}, 'wrong-password-456');
    expect(denied).toEqual({
      ok: false,
      message: `the LDAP server ${slapd.url} refused the credentials of "${rootDn}": check the bind DN and password, then run again`,
    });
    expect(await check({ url: 'ldap://127.0.0.1:1' })).toEqual({
      ok: false,
      message:
        'the LDAP server ldap://127.0.0.1:1 refused the connection: check that it is running and that its address is right, then run again',
    });
    expect(await check({ baseDn: `ou=nowhere,${suffix}` })).toEqual({
      ok: false,
      message: `the base DN "ou=nowhere,${suffix}" does not exist on the LDAP server ${slapd.url}: check the system's baseDn (or the target query's)`,
    });
    const tls = await check({
      url: `ldaps://127.0.0.1:${slapd.port}`,
      connectTimeoutMs: 2000,
      timeoutMs: 2000,
    });
    expect(tls.message).toMatch(
      /^TLS with the LDAP server ldaps:\/\/127\.0\.0\.1:\d+ failed \(.+\): check that it speaks TLS there/,
    );
    const startTls = await check({ startTls: true, timeoutMs: 2000 });
    expect(startTls.message).toMatch(
      /^TLS with the LDAP server ldap:\/\/127\.0\.0\.1:\d+ failed \(.+\): check that it speaks TLS there/,
    );
  });

  it('parseConnection splits bindPassword out and names bad fields', () => {
    const { connection, secrets } = parseConnection('ldap', {
      url: 'ldaps://dc1:636',
      baseDn: suffix,
      bindPassword: 'p',
    });
    expect(secrets).toEqual({ bindPassword: 'p' });
    expect(connection).toMatchObject({ scope: 'sub', pageSize: 500, watermarkAttribute: 'modifyTimestamp' });
    expect(() => parseConnection('ldap', { url: 'http://x', baseDn: suffix })).toThrow(/^url: must be ldap/);
    expect(() =>
      parseConnection('ldap', { url: 'ldap://x', baseDn: suffix, disable: { attribute: 'a' } }),
    ).toThrow(/^disable/);
    expect(() =>
      parseConnection('ldap', { url: 'ldap://x', baseDn: suffix, watermarkAttribute: 'x' }),
    ).toThrow(/^watermarkAttribute: /);
  });
});
