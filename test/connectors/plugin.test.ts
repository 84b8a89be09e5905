import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, repoRoot, runTrueup, startServer, tempDataDir } from '../helpers/server.ts';

/** Starting real servers and CLI processes takes a while on a loaded machine. */
const slow = 180_000;
const example = path.join(repoRoot, 'connectors/examples/rest-json.ts');

type Item = Record<string, unknown>;

/** The REST/JSON API the example plugin talks to, in memory, with every request recorded. */
async function startRestPeer(token: string) {
  const accounts = new Map<string, Item>();
  const calls: string[] = [];
  const body = async (req: IncomingMessage) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    return text ? (JSON.parse(text) as Item) : {};
  };
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://peer');
    calls.push(`${req.method} ${url.pathname}`);
    const reply = (status: number, value?: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(value === undefined ? '' : JSON.stringify(value));
    };
    if (req.headers.authorization !== `Bearer ${token}`) return reply(401, { error: 'unauthorized' });
    const key = decodeURIComponent(url.pathname.replace(/^\/accounts\/?/, ''));
    if (req.method === 'GET' && key === '') {
      const offset = Number(url.searchParams.get('offset') ?? 0);
      const limit = Number(url.searchParams.get('limit') ?? 100);
      const all = [...accounts.values()];
      return reply(200, { items: all.slice(offset, offset + limit), total: all.length });
    }
    const existing = accounts.get(key);
    if (req.method === 'PUT') {
      accounts.set(key, await body(req));
      return reply(200);
    }
    if (!existing) return reply(404, { error: 'not found' });
    if (req.method === 'PATCH') {
      accounts.set(key, { ...existing, ...(await body(req)) });
      return reply(200);
    }
    if (req.method === 'DELETE') {
      accounts.delete(key);
      return reply(204);
    }
    return reply(405);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    accounts,
    calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const throwingPlugin = `import { defineConnector, z } from 'trueup:connector';
export default defineConnector({
  type: 'always-throws',
  description: 'a plugin whose connection test throws',
  settings: z.strictObject({}),
  secretFields: [],
  create: () => ({
    test: async () => { throw new Error('boom in test'); },
    schema: async () => [],
    async *search() {},
    write: async (ops) => ops.map(() => ({ ok: true as const })),
    close: async () => {},
  }),
});
`;

describe('connector plugins from CONNECTORS_DIR', () => {
  let peer: Awaited<ReturnType<typeof startRestPeer>>;
  let server: RunningServer;
  let pluginDir: string;
  let adminToken: string;
  const api = async <T>(method: string, url: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${server.url}${url}`, {
      method,
      headers: {
        authorization: `Bearer ${adminToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    expect(response.status, `${method} ${url}: ${text}`).toBeLessThan(300);
    return JSON.parse(text) as T;
  };
  const run = async (configId: string) => {
    const { runId } = await api<{ runId: string }>('POST', `/api/recon-configs/${configId}/runs`, {});
    for (;;) {
      const summary = await api<{ status: string; counts: { responses: Record<string, number> } }>(
        'GET',
        `/api/runs/${runId}`,
      );
      if (summary.status !== 'queued' && summary.status !== 'running') return summary;
      await sleep(50);
    }
  };

  beforeAll(async () => {
    peer = await startRestPeer('peer-token-123');
    for (const [id, name] of [
      ['A1', 'Ada'],
      ['A2', 'Alan'],
      ['A3', 'Grace'],
    ]) {
      peer.accounts.set(id!, { id, name, active: true });
    }
    // A plugin folder of the integrator's own, away from the repository: the SDK still resolves.
    pluginDir = mkdtempSync(path.join(tmpdir(), 'trueup-plugins-'));
    copyFileSync(example, path.join(pluginDir, 'rest-json.ts'));
    writeFileSync(path.join(pluginDir, 'always-throws.ts'), throwingPlugin);
    const dataDir = tempDataDir();
    server = await startServer({ DATA_DIR: dataDir, CONNECTORS_DIR: pluginDir }, slow);
    adminToken = readFileSync(path.join(dataDir, 'admin.token'), 'utf8').trim();
  }, slow);
  afterAll(async () => {
    await server?.stop();
    await peer?.close();
  });

  it(
    'a plugin connector from CONNECTORS_DIR runs a reconciliation (reads and writes)',
    async () => {
      expect(server.output()).toContain('loaded 2 connector plugin(s)');
      const types = await api<{
        items: Array<{ type: string; plugin: string | null; secretFields: string[] }>;
      }>('GET', '/api/connector-types');
      expect(types.items.map((t) => [t.type, t.plugin])).toEqual([
        ['csv', null],
        ['sql', null],
        ['ldap', null],
        ['scim', null],
        ['always-throws', path.join(pluginDir, 'always-throws.ts')],
        ['rest-json', path.join(pluginDir, 'rest-json.ts')],
      ]);
      expect(types.items.find((t) => t.type === 'rest-json')?.secretFields).toEqual(['token']);

      const system = await api<{ id: string; connection: Record<string, unknown> }>('POST', '/api/systems', {
        name: 'REST app',
        type: 'rest-json',
        trusted: true,
        uniqueFieldKey: 'id',
        connection: { baseUrl: peer.url, token: 'peer-token-123', pageSize: 2 },
      });
      expect(system.connection).toEqual({
        baseUrl: peer.url,
        token: '********',
        pageSize: 2,
        disabledField: 'active',
      });
      expect(await api('POST', `/api/systems/${system.id}/test`)).toEqual({
        ok: true,
        message: `3 accounts at ${peer.url}`,
      });

      const config = await api<{ id: string }>('POST', `/api/systems/${system.id}/recon-configs`, {
        objectType: 'User',
        sourceAttributeName: 'id',
        idmField: 'employeeId',
        policyMap: ['name', 'active'],
        situations: { IDM_NOT_EXISTS__RESOURCE_EXISTS: { response: 'ADD_TO_IDM' } },
      });
      const first = await run(config.id);
      expect(first).toMatchObject({ status: 'succeeded', counts: { responses: { ADD_TO_IDM: 3 } } });
      const users = await api<{ items: Array<{ attributes: Record<string, unknown> }> }>(
        'GET',
        '/api/idm/users?limit=10',
      );
      expect(users.items.map((u) => [u.attributes.employeeId, u.attributes.name]).sort()).toEqual([
        ['A1', 'Ada'],
        ['A2', 'Alan'],
        ['A3', 'Grace'],
      ]);

      await api('PATCH', `/api/recon-configs/${config.id}`, {
        situations: { IDM_EXISTS__RESOURCE_EXISTS: { response: 'DISABLE_IN_RESOURCE' } },
      });
      peer.calls.length = 0;
      const second = await run(config.id);
      expect(second).toMatchObject({
        status: 'succeeded',
        counts: { responses: { DISABLE_IN_RESOURCE: 3 } },
      });
      expect(peer.calls.filter((c) => !c.startsWith('GET')).sort()).toEqual([
        'PATCH /accounts/A1',
        'PATCH /accounts/A2',
        'PATCH /accounts/A3',
      ]);
      expect([...peer.accounts.values()].map((a) => a.active)).toEqual([false, false, false]);
    },
    slow,
  );

  it('a plugin whose test() throws is a failed connection test naming the file, not a crash', async () => {
    const system = await api<{ id: string }>('POST', '/api/systems', {
      name: 'Throwing',
      type: 'always-throws',
      uniqueFieldKey: 'id',
      connection: {},
    });
    expect(await api('POST', `/api/systems/${system.id}/test`)).toEqual({
      ok: false,
      message: `connector plugin ${path.join(pluginDir, 'always-throws.ts')}: test() threw: boom in test`,
    });
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
  });

  it.each([
    ['a syntax error', 'export default defineConnector({ type: "x",', /does not load: SyntaxError/],
    ['no default export', 'export const connector = 1;\n', /has no default export made with defineConnector/],
    [
      'a bad type name',
      `import { defineConnector, z } from 'trueup:connector';\nexport default defineConnector({ type: 'Bad Type', description: '', settings: z.object({}), secretFields: [], create: () => { throw new Error('no'); } });\n`,
      /type must be a connector type name/,
    ],
    [
      'a type that is built in',
      `import { defineConnector, z } from 'trueup:connector';\nexport default defineConnector({ type: 'scim', description: '', settings: z.object({}), secretFields: [], create: () => { throw new Error('no'); } });\n`,
      /type "scim" is already built in/,
    ],
    ['a throw while loading', "throw new Error('cannot start');\n", /does not load: Error: cannot start/],
  ])(
    '%s stops start-up with one line naming the file (exit 2)',
    async (_, source, message) => {
      const dir = mkdtempSync(path.join(tmpdir(), 'trueup-bad-plugin-'));
      const file = path.join(dir, 'bad.ts');
      writeFileSync(file, source);
      const result = await runTrueup(['serve'], { DATA_DIR: tempDataDir(), PORT: '0', CONNECTORS_DIR: dir });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`trueup: configuration error: connector plugin ${file}`);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    },
    slow,
  );
});
