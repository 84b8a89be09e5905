import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinRegistry, createConnector, parseConnection } from '../../server/connectors/index.ts';
import type { Connector, Page, SearchRequest } from '../../server/core/connector-port.ts';
import { type ScimServer, startScimServer } from '../helpers/scim-server.ts';
import { closedPort } from './read-failures.ts';

const enterprise = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

function scim(server: ScimServer, connection: Record<string, unknown> = {}, key = 'userName'): Connector {
  return createConnector({
    type: 'scim',
    uniqueFieldKey: key,
    connection: { baseUrl: server.baseUrl, ...connection },
    secrets: { token: server.token },
  });
}

async function readAll(connector: Connector, request: SearchRequest = {}) {
  const pages: Page[] = [];
  for await (const page of connector.search(request)) pages.push(page);
  return { pages, accounts: pages.flatMap((p) => p.accounts) };
}

/** The SCIM requests since `from`, as "METHOD path". */
const calls = (server: ScimServer, from = 0) =>
  server.requests.slice(from).map((r) => `${r.method} ${r.path}`);

describe('SCIM 2.0 connector against a real SCIM server (SCIMMY)', () => {
  let server: ScimServer;
  beforeAll(async () => {
    server = await startScimServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('the connection test reads /ServiceProviderConfig and proves the token on /Users', async () => {
    server.seedUsers([{ userName: 'probe.user', active: true }]);
    const from = server.requests.length;
    const result = await scim(server).test();
    expect(result).toMatchObject({ ok: true, details: { patch: true, filter: true, filtersHonoured: true } });
    expect(result.message).toMatch(/updates use PATCH/);
    expect(calls(server, from).slice(0, 2)).toEqual(['GET /ServiceProviderConfig', 'GET /Users']);

    const refused = await createConnector({
      type: 'scim',
      uniqueFieldKey: 'userName',
      connection: { baseUrl: server.baseUrl },
      secrets: { token: 'wrong-token-value' },
    }).test();
    expect(refused).toEqual({ ok: false, message: expect.stringMatching(/refused the credentials \(401\)/) });
    expect(refused.message).not.toContain('wrong-token-value');

    const port = await closedPort();
    const closed = await createConnector({
      type: 'scim',
      uniqueFieldKey: 'userName',
      connection: { baseUrl: `http://127.0.0.1:${port}/scim/v2`, maxRetries: 0 },
      secrets: { token: 't' },
    }).test();
    expect(closed).toEqual({
      ok: false,
      message: `the SCIM server http://127.0.0.1:${port}/scim/v2 refused the connection: check that it is running and that its address is right, then run again`,
    });
  });

  it('pages a full read with startIndex/count over a few hundred users', async () => {
    const paging = await startScimServer();
    try {
      paging.seedUsers(
        Array.from({ length: 350 }, (_, i) => ({
          userName: `user${String(i).padStart(3, '0')}`,
          active: true,
        })),
      );
      const { pages, accounts } = await readAll(scim(paging, { pageSize: 100 }));
      expect(pages.map((p) => p.accounts.length)).toEqual([100, 100, 100, 50]);
      expect(new Set(accounts.map((a) => a.key)).size).toBe(350);
      const lists = paging.requests.filter((r) => r.path === '/Users');
      expect(lists.map((r) => [r.query.startIndex, r.query.count])).toEqual([
        ['1', '100'],
        ['101', '100'],
        ['201', '100'],
        ['301', '100'],
      ]);
      // The watermark is the newest meta.lastModified seen.
      const newest = accounts
        .map((a) => String(a.attributes['meta.lastModified']))
        .sort()
        .at(-1);
      expect(pages.at(-1)?.watermark).toBe(newest);
    } finally {
      await paging.close();
    }
  });

  it('builds filters safely: hostile values are escaped, never spliced in, and still found', async () => {
    const hostile = server.seedUsers([
      { userName: 'o"brien', active: true },
      { userName: 'back\\slash', active: true },
      { userName: 'plain.user', active: true },
    ]);
    const connector = scim(server);
    const injection = 'x" or userName pr or userName eq "y';
    const from = server.requests.length;
    const found = await connector.lookup?.([injection, 'o"brien', 'back\\slash', 'PLAIN.USER'], {});
    expect(found?.map((a) => a.key).sort()).toEqual(['back\\slash', 'o"brien', 'plain.user']);
    // The injection went out as one quoted, escaped value: it matched nothing and returned no one.
    const sent = server.requests
      .slice(from)
      .map((r) => r.query.filter)
      .filter(Boolean);
    expect(sent[0]).toBe(
      `userName eq ${JSON.stringify(injection)} or userName eq "o\\"brien" or userName eq "back\\\\slash" or userName eq "PLAIN.USER"`,
    );
    expect(found?.find((a) => a.key === 'o"brien')?.attributes.id).toBe(hostile[0]?.id);

    // The config's search filter is parsed, so a malformed one is refused rather than sent.
    await expect(readAll(connector, { searchFilter: 'userName eq' })).rejects.toThrow(
      /^searchFilter: is not a SCIM filter/,
    );
    const { accounts } = await readAll(connector, { searchFilter: 'userName sw "plain"' });
    expect(accounts.map((a) => a.key)).toEqual(['plain.user']);
    await expect(readAll(connector, { query: { type: 'ldap', filter: '(uid=*)' } })).rejects.toThrow(
      /targetSearchFilter/,
    );
  });

  it('creates with POST, updates with PATCH, disables with active: false, deletes', async () => {
    const connector = scim(server);
    const from = server.requests.length;
    const results = await connector.write([
      {
        op: 'create',
        key: 'ann.w',
        attributes: {
          'name.givenName': 'Ann',
          'name.familyName': 'Writer',
          emails: ['ann@example.test'],
          active: true,
          [`${enterprise}:employeeNumber`]: 'E-17',
        },
      },
      { op: 'create', key: 'bob.w', attributes: { displayName: 'Bob' } },
      // Creating an existing account brings it to the given attributes (409 → update).
      { op: 'create', key: 'bob.w', attributes: { displayName: 'Bob Again' } },
      {
        op: 'update',
        key: 'ann.w',
        patch: { title: 'Engineer', 'emails.work': 'ann@work.test', 'name.givenName': null },
      },
      { op: 'disable', key: 'bob.w' },
      { op: 'update', key: 'nobody.w', patch: { title: 'x' } },
      { op: 'delete', key: 'nobody.w' },
    ]);
    expect(results).toEqual([
      { ok: true },
      { ok: true },
      { ok: true },
      { ok: true },
      { ok: true },
      { ok: false, message: 'SCIM user with userName "nobody.w" does not exist' },
      { ok: true },
    ]);
    expect(calls(server, from).filter((c) => !c.startsWith('GET'))).toEqual([
      'POST /Users',
      'POST /Users',
      'POST /Users',
      `PATCH /Users/${idOf(server, 'bob.w')}`,
      `PATCH /Users/${idOf(server, 'ann.w')}`,
      `PATCH /Users/${idOf(server, 'bob.w')}`,
    ]);
    const ann = (await connector.lookup?.(['ann.w'], {}))?.[0]?.attributes;
    expect(ann).toMatchObject({
      userName: 'ann.w',
      'name.familyName': 'Writer',
      title: 'Engineer',
      emails: ['ann@example.test', 'ann@work.test'],
      'emails.work': 'ann@work.test',
      active: true,
      [`${enterprise}:employeeNumber`]: 'E-17',
    });
    expect(ann?.['name.givenName']).toBeUndefined();
    const bob = (await connector.lookup?.(['bob.w'], {}))?.[0]?.attributes;
    expect(bob).toMatchObject({ displayName: 'Bob Again', active: false });

    expect(await connector.write([{ op: 'delete', key: 'bob.w' }])).toEqual([{ ok: true }]);
    expect(await connector.lookup?.(['bob.w'], {})).toEqual([]);
    expect(server.store.Users.size).toBe(
      [...server.store.Users.values()].filter((u) => u.userName !== 'bob.w').length,
    );
  });

  it('falls back to GET + PUT when the ServiceProviderConfig says PATCH is unsupported', async () => {
    const noPatch = await startScimServer({ patch: false });
    try {
      const connector = scim(noPatch);
      expect((await connector.test()).message).toMatch(/updates use PUT/);
      await connector.write([
        { op: 'create', key: 'put.user', attributes: { displayName: 'Put', active: true } },
      ]);
      const from = noPatch.requests.length;
      const results = await connector.write([
        { op: 'update', key: 'put.user', patch: { displayName: 'Put Renamed', 'name.familyName': 'User' } },
        { op: 'disable', key: 'put.user' },
      ]);
      expect(results).toEqual([{ ok: true }, { ok: true }]);
      const id = idOf(noPatch, 'put.user');
      expect(calls(noPatch, from)).toEqual([
        `GET /Users/${id}`,
        `PUT /Users/${id}`,
        `GET /Users/${id}`,
        `PUT /Users/${id}`,
      ]);
      expect(noPatch.store.Users.get(id)).toMatchObject({
        userName: 'put.user',
        displayName: 'Put Renamed',
        name: { familyName: 'User' },
        active: false,
      });
    } finally {
      await noPatch.close();
    }
  });

  it('retries 429 and 5xx, honouring Retry-After, and gives up after maxRetries', async () => {
    const connector = scim(server, { maxRetryDelayMs: 50 });
    server.failNext(1, 429, '0');
    server.failNext(1, 503, new Date(Date.now() - 1000).toUTCString());
    server.failNext(1, 500);
    const from = server.requests.length;
    const { accounts } = await readAll(connector, { searchFilter: 'userName eq "plain.user"' });
    expect(accounts.map((a) => a.key)).toEqual(['plain.user']);
    expect(server.requests.slice(from).map((r) => r.status)).toEqual([429, 503, 500, 200]);

    server.failNext(3, 502);
    await expect(readAll(scim(server, { maxRetries: 2, maxRetryDelayMs: 10 }))).rejects.toThrow(
      `the SCIM server ${server.baseUrl} failed on its side (502 to GET /Users, "injected", after 2 retries) while reading page 1: check its log, then run again`,
    );
    // A 4xx other than 429 is not retried.
    const before = server.requests.length;
    server.failNext(1, 400);
    await expect(readAll(connector)).rejects.toThrow(
      `the SCIM server ${server.baseUrl} refused GET /Users (400, "injected") while reading page 1: check the values sent and the system's settings`,
    );
    expect(server.requests.length - before).toBe(1);
  });

  it('reads deltas by meta.lastModified: at or after the watermark, nothing older', async () => {
    const deltas = await startScimServer();
    try {
      deltas.seedUsers([{ userName: 'd1' }, { userName: 'd2' }, { userName: 'd3' }]);
      const connector = scim(deltas);
      const full = await readAll(connector);
      const watermark = full.pages.at(-1)?.watermark ?? null;
      expect(full.accounts).toHaveLength(3);
      // Nothing changed: only the object carrying the watermark's own timestamp comes back.
      expect((await readAll(connector, { watermark })).accounts.map((a) => a.key)).toEqual(['d3']);
      await connector.write([{ op: 'update', key: 'd1', patch: { title: 'changed' } }]);
      const delta = await readAll(connector, { watermark });
      expect(delta.accounts.map((a) => a.key).sort()).toEqual(['d1', 'd3']);
      expect(delta.pages.at(-1)?.watermark).toBe(
        deltas.store.Users.get(idOf(deltas, 'd1'))?.meta.lastModified,
      );
      const filters = deltas.requests.map((r) => r.query.filter).filter(Boolean);
      expect(filters).toContain(`meta.lastModified ge ${JSON.stringify(watermark)}`);
      // deltas: none reads everything (the engine sees the unchanged accounts unchanged).
      expect((await readAll(scim(deltas, { deltas: 'none' }), { watermark })).accounts).toHaveLength(3);
    } finally {
      await deltas.close();
    }
  });

  it('OAuth 2.0 client credentials: one token cached across requests, fetched again when refused', async () => {
    const oauth = await startScimServer({ oauth: { clientId: 'trueup', clientSecret: 's3cret:&=' } });
    try {
      oauth.seedUsers([{ userName: 'o1' }, { userName: 'o2' }, { userName: 'o3' }]);
      const connection = {
        baseUrl: oauth.baseUrl,
        auth: 'oauth',
        tokenUrl: oauth.tokenUrl,
        clientId: 'trueup',
        pageSize: 1,
      };
      const connector = createConnector({
        type: 'scim',
        uniqueFieldKey: 'userName',
        connection,
        secrets: { clientSecret: 's3cret:&=' },
      });
      expect((await readAll(connector)).accounts).toHaveLength(3);
      expect(oauth.tokensIssued()).toBe(1);
      oauth.revokeTokens();
      expect((await readAll(connector)).accounts).toHaveLength(3);
      expect(oauth.tokensIssued()).toBe(2);
      expect(oauth.requests.filter((r) => r.status === 401)).toHaveLength(1);

      const wrong = createConnector({
        type: 'scim',
        uniqueFieldKey: 'userName',
        connection,
        secrets: { clientSecret: 'nope' },
      });
      expect(await wrong.test()).toEqual({
        ok: false,
        message: `the OAuth token endpoint ${oauth.tokenUrl} refused the client credentials (401: invalid_client): check clientId, clientSecret and scope, then run again`,
      });
    } finally {
      await oauth.close();
    }
  });

  it('Groups: members as a list of ids and display names; a user lists its groups', async () => {
    const groups = await startScimServer();
    try {
      const [u1, u2] = groups.seedUsers([{ userName: 'g.ann' }, { userName: 'g.bob' }]);
      const connector = scim(groups, { resourceType: 'Group' }, 'displayName');
      expect(
        await connector.write([
          { op: 'create', key: 'Engineering', attributes: { members: [u1!.id] } },
          { op: 'update', key: 'Engineering', patch: { members: [u1!.id, u2!.id] } },
        ]),
      ).toEqual([{ ok: true }, { ok: true }]);
      const [group] = (await readAll(connector)).accounts;
      expect(group).toMatchObject({ key: 'Engineering', attributes: { members: [u1!.id, u2!.id] } });
      const users = scim(groups);
      const [bob] = (await users.lookup?.(['g.bob'], {})) ?? [];
      expect(bob?.attributes).toMatchObject({
        groups: [group!.attributes.id],
        'groups.display': ['Engineering'],
      });
      expect(await connector.write([{ op: 'disable', key: 'Engineering' }])).toEqual([
        { ok: false, message: 'a SCIM group has no active flag to disable; delete it instead' },
      ]);
    } finally {
      await groups.close();
    }
  });

  it('keyed by an extension attribute, which SCIMMY cannot filter on: says so, and still finds accounts', async () => {
    const urnServer = await startScimServer();
    try {
      urnServer.seedUsers([
        { userName: 'x1', [enterprise]: { employeeNumber: 'N-1' } },
        { userName: 'x2', [enterprise]: { employeeNumber: 'N-2' } },
      ]);
      const connector = scim(urnServer, {}, `${enterprise}:employeeNumber`);
      // The filter on the URN answers 200 with nothing: the connection test reports it.
      expect(await connector.test()).toMatchObject({ ok: false, details: { filtersHonoured: false } });
      // Look-ups fall back to one full read, matched here; writes then use the ids read.
      expect(keys(await connector.lookup?.(['N-2', 'N-9'], {}))).toEqual(['N-2']);
      expect(await connector.write([{ op: 'update', key: 'N-2', patch: { title: 'found' } }])).toEqual([
        { ok: true },
      ]);
      expect(urnServer.store.Users.get(idOf(urnServer, 'x2'))).toMatchObject({ title: 'found' });
      // A fresh connector cannot tell "gone" from "not found by a filter the server ignores".
      const fresh = scim(urnServer, {}, `${enterprise}:employeeNumber`);
      expect(await fresh.write([{ op: 'delete', key: 'N-7' }])).toEqual([
        { ok: false, message: expect.stringMatching(/does not apply filters/) },
      ]);
    } finally {
      await urnServer.close();
    }
  });

  it('is registered: settings validated, secrets split out, described for forms', () => {
    expect(parseConnection('scim', { baseUrl: 'https://scim.example.test/v2/', token: 'abc' })).toEqual({
      connection: {
        baseUrl: 'https://scim.example.test/v2',
        resourceType: 'User',
        auth: 'bearer',
        pageSize: 100,
        deltas: 'lastModified',
        timeoutMs: 30_000,
        maxRetries: 4,
        maxRetryDelayMs: 30_000,
      },
      secrets: { token: 'abc', clientSecret: '' },
    });
    expect(() => parseConnection('scim', { baseUrl: 'ftp://x' })).toThrow(/^baseUrl: must be an http/);
    expect(() => parseConnection('scim', { baseUrl: 'https://x', auth: 'oauth' })).toThrow(
      /^tokenUrl: is required/,
    );
    expect(() => parseConnection('nosuch', {})).toThrow(
      'type: "nosuch" is not a connector type (csv, sql, ldap, scim)',
    );
    const described = builtinRegistry.describe().find((t) => t.type === 'scim');
    expect(described?.secretFields).toEqual(['token', 'clientSecret']);
    expect(described?.fields.find((f) => f.name === 'baseUrl')).toMatchObject({
      type: 'string',
      required: true,
      secret: false,
      description: expect.stringContaining('SCIM base URL'),
    });
    expect(described?.fields.find((f) => f.name === 'token')).toMatchObject({
      secret: true,
      required: false,
    });
    expect(described?.fields.find((f) => f.name === 'auth')).toMatchObject({
      enum: ['bearer', 'oauth'],
      default: 'bearer',
    });
    expect(builtinRegistry.describe().map((t) => t.type)).toEqual(['csv', 'sql', 'ldap', 'scim']);
  });
});

const keys = (accounts: Array<{ key: string }> | undefined) => accounts?.map((a) => a.key).sort();

function idOf(server: ScimServer, userName: string): string {
  const user = [...server.store.Users.values()].find((u) => u.userName === userName);
  if (!user) throw new Error(`no user ${userName}`);
  return user.id;
}
