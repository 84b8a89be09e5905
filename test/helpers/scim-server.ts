import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import SCIMMY from 'scimmy';
import SCIMMYRouters from 'scimmy-routers';

/**
 * A real SCIM 2.0 server for tests and benchmarks: SCIMMY (schemas, filters, PatchOp, list
 * responses, errors, discovery) under express@4 (Express 5 re-parses `req.query`, and SCIMMY then
 * ignores startIndex/count), with in-memory storage, server-assigned ids, `meta` timestamps,
 * userName uniqueness, and an OAuth 2.0 client-credentials token endpoint. It keeps SCIMMY's
 * quirks (case-sensitive `userName eq`, filters on extension URNs matching nothing).
 *
 * SCIMMY's resource declarations are process-wide; each server passes its own store to them as
 * the request context, so several servers can run in one test file.
 */
type Stored = Record<string, unknown> & {
  id: string;
  meta: { resourceType: 'User' | 'Group'; created: string; lastModified: string };
};

type Store = {
  Users: Map<string, Stored>;
  Groups: Map<string, Stored>;
  /** Strictly increasing change times, so deltas never depend on two writes in one millisecond. */
  stamp(): string;
};

/**
 * How a list page fails, for tests of a read that breaks partway (the engine must stop the run,
 * the connector must say where): an HTTP status (500, 503, 429…) answered with a SCIM error body,
 * `'drop'` (the connection is closed with no answer, as a crashed server or a proxy would), or
 * `'hang'` (no answer at all, until the client's timeoutMs; `close()` ends it).
 */
export type PageFault = number | 'drop' | 'hang';

/**
 * Every list request (GET /Users or /Groups without an id) for page `from` or a later one fails
 * with `fault`. Pages are counted from `startIndex` and `count` (1-based; count 20 when absent, as
 * the server pages), so a client's retries of a failed page fail again, and an earlier page (or a
 * filtered one-page look-up) still answers.
 */
export type PageFailure = { from: number; fault: PageFault };

export type ScimServerOptions = {
  /** Fail list pages from one on, from the start (see `failPages` to change it later). */
  failPages?: PageFailure;
  /** The bearer token it accepts (besides OAuth tokens it issued). */
  token?: string;
  /** false: ServiceProviderConfig says PATCH is unsupported and PATCH is answered 501. */
  patch?: boolean;
  /** Client credentials for POST /oauth/token; tokens live `tokenLifetimeSeconds`. */
  oauth?: { clientId: string; clientSecret: string; tokenLifetimeSeconds?: number };
};

export type ScimRequestLog = { method: string; path: string; status: number; query: Record<string, unknown> };

export type ScimServer = {
  /** The SCIM base URL (`http://127.0.0.1:PORT/scim/v2`). */
  baseUrl: string;
  tokenUrl: string;
  token: string;
  store: Store;
  /** Every request answered, in order. */
  requests: ScimRequestLog[];
  /** Answers the next `count` SCIM requests with `status` (and `Retry-After` when given). */
  failNext(count: number, status: number, retryAfter?: string): void;
  /** Fails list pages from `from` on with `fault` (null: every page answers again). See PageFailure. */
  failPages(failure: PageFailure | null): void;
  /** Forgets every OAuth token issued, as an expiry would. */
  revokeTokens(): void;
  tokensIssued(): number;
  /** Adds users straight into storage (fast seeding for paging tests and the benchmark). */
  seedUsers(users: Array<Record<string, unknown>>): Stored[];
  close(): Promise<void>;
};

/** The fault for a list request of a failing page, or null (another path, or an earlier page). */
function faultOfPage(path: string, query: Request['query'], failure: PageFailure): PageFault | null {
  if (path !== '/Users' && path !== '/Groups') return null;
  const startIndex = Math.max(1, Number(query.startIndex ?? 1) || 1);
  const count = Math.max(1, Number(query.count ?? 20) || 20);
  const page = Math.floor((startIndex - 1) / count) + 1;
  return page >= failure.from ? failure.fault : null;
}

function lastStamp(): () => string {
  let last = 0;
  return () => {
    last = Math.max(Date.now(), last + 1);
    return new Date(last).toISOString();
  };
}

let declared = false;

// SCIMMY's types want a scimType string; a 404 has none.
const notFound = (id: string | undefined) =>
  new SCIMMY.Types.Error(404, undefined as unknown as string, `Resource ${id} not found`);

function resourcesOf(ctx: Store, type: 'User' | 'Group') {
  return type === 'User' ? ctx.Users : ctx.Groups;
}

/** The groups a user is in, as SCIM's read-only `groups` attribute. */
function withGroups(ctx: Store, user: Stored): Stored {
  const groups = [...ctx.Groups.values()]
    .filter((group) =>
      ((group.members as Array<{ value: string }> | undefined) ?? []).some((m) => m.value === user.id),
    )
    .map((group) => ({ value: group.id, display: group.displayName, type: 'direct' }));
  return groups.length > 0 ? { ...user, groups } : user;
}

/**
 * The egress of a list: SCIMMY's own filter, then a page cut here so SCIMMY converts one page
 * rather than every resource (it reads `totalResults` from the constraints). A startIndex it would
 * slice again falls back to handing it everything.
 */
function listEgress(type: 'User' | 'Group') {
  return (resource: SCIMMY.Types.Resource, ctx: Store) => {
    const all = [...resourcesOf(ctx, type).values()].map((r) => (type === 'User' ? withGroups(ctx, r) : r));
    if (resource.id) {
      const found = all.find((r) => r.id === resource.id);
      if (!found) throw notFound(resource.id);
      return found;
    }
    const matched = resource.filter ? (resource.filter.match(all) as Stored[]) : all;
    const constraints = (resource.constraints ?? {}) as {
      startIndex?: number;
      count?: number;
      sortBy?: string;
    };
    const start = constraints.startIndex ?? 1;
    const count = constraints.count ?? 20;
    const page = matched.slice(start - 1, start - 1 + count);
    if (constraints.sortBy || (start > 1 && page.length >= start)) return matched;
    if (!resource.constraints) resource.constraints = {};
    (resource.constraints as { totalResults?: number }).totalResults = matched.length;
    return page;
  };
}

function ingress(type: 'User' | 'Group') {
  return (resource: SCIMMY.Types.Resource, instance: Record<string, unknown>, ctx: Store) => {
    const map = resourcesOf(ctx, type);
    const data = JSON.parse(JSON.stringify(instance)) as Record<string, unknown>;
    delete data.schemas;
    delete data.meta;
    delete data.id;
    delete data.groups;
    const existing = resource.id ? map.get(resource.id) : undefined;
    if (resource.id && !existing) throw notFound(resource.id);
    const unique = type === 'User' ? 'userName' : 'displayName';
    const wanted = String(data[unique] ?? '').toLowerCase();
    for (const other of map.values()) {
      if (other.id !== resource.id && String(other[unique] ?? '').toLowerCase() === wanted) {
        throw new SCIMMY.Types.Error(409, 'uniqueness', `${unique} "${data[unique]}" is already taken`);
      }
    }
    const now = ctx.stamp();
    const stored: Stored = {
      ...data,
      id: existing?.id ?? randomUUID(),
      meta: { resourceType: type, created: existing?.meta.created ?? now, lastModified: now },
    };
    map.set(stored.id, stored);
    return type === 'User' ? withGroups(ctx, stored) : stored;
  };
}

function degress(type: 'User' | 'Group') {
  return (resource: SCIMMY.Types.Resource, ctx: Store) => {
    const map = resourcesOf(ctx, type);
    if (!resource.id || !map.delete(resource.id)) {
      throw notFound(resource.id);
    }
    if (type === 'User') {
      // A deleted user leaves its groups, as a real directory's referential integrity does.
      for (const group of ctx.Groups.values()) {
        const members = (group.members as Array<{ value: string }> | undefined) ?? [];
        if (members.some((m) => m.value === resource.id)) {
          group.members = members.filter((m) => m.value !== resource.id);
          group.meta.lastModified = ctx.stamp();
        }
      }
    }
  };
}

function declareResources() {
  if (declared) return;
  declared = true;
  // biome-ignore lint/suspicious/noExplicitAny: SCIMMY's handler generics do not survive its declare()
  const user = SCIMMY.Resources.User as any;
  // biome-ignore lint/suspicious/noExplicitAny: as above
  const group = SCIMMY.Resources.Group as any;
  user.extend(SCIMMY.Schemas.EnterpriseUser, false);
  SCIMMY.Resources.declare(user.ingress(ingress('User')).egress(listEgress('User')).degress(degress('User')));
  SCIMMY.Resources.declare(
    group.ingress(ingress('Group')).egress(listEgress('Group')).degress(degress('Group')),
  );
}

export async function startScimServer(options: ScimServerOptions = {}): Promise<ScimServer> {
  declareResources();
  const token = options.token ?? randomBytes(16).toString('hex');
  const store: Store = { Users: new Map(), Groups: new Map(), stamp: lastStamp() };
  const issued = new Map<string, number>();
  let issuedCount = 0;
  const requests: ScimRequestLog[] = [];
  const faults: Array<{ status: number; retryAfter: string | undefined }> = [];
  let pageFailure: PageFailure | null = options.failPages ?? null;
  const app = express();

  app.post('/oauth/token', express.urlencoded({ extended: false }), (req: Request, res: Response) => {
    const oauth = options.oauth;
    const [scheme, encoded] = (req.header('authorization') ?? '').split(' ');
    const [id, secret] = Buffer.from(encoded ?? '', 'base64')
      .toString()
      .split(':')
      .map((part) => decodeURIComponent(part));
    if (!oauth || scheme !== 'Basic' || id !== oauth.clientId || secret !== oauth.clientSecret) {
      res.status(401).json({ error: 'invalid_client' });
      return;
    }
    if (req.body?.grant_type !== 'client_credentials') {
      res.status(400).json({ error: 'unsupported_grant_type' });
      return;
    }
    const lifetime = oauth.tokenLifetimeSeconds ?? 3600;
    const access = randomBytes(16).toString('hex');
    issued.set(access, Date.now() + lifetime * 1000);
    issuedCount++;
    res.json({ access_token: access, token_type: 'Bearer', expires_in: lifetime });
  });

  app.use('/scim/v2', (req: Request, res: Response, next: NextFunction) => {
    // Read now: the routers below rewrite req.path as they descend.
    const path = req.path;
    const query = { ...req.query };
    res.on('finish', () => requests.push({ method: req.method, path, status: res.statusCode, query }));
    const pageFault = pageFailure && req.method === 'GET' ? faultOfPage(path, req.query, pageFailure) : null;
    if (pageFault === 'drop') {
      req.socket.destroy();
      return;
    }
    if (pageFault === 'hang') return;
    if (typeof pageFault === 'number') {
      res.status(pageFault).json({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
        status: `${pageFault}`,
        detail: `page fault injected from page ${pageFailure?.from}`,
      });
      return;
    }
    const fault = faults.shift();
    if (fault) {
      if (fault.retryAfter !== undefined) res.setHeader('Retry-After', fault.retryAfter);
      res.status(fault.status).json({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
        status: `${fault.status}`,
        detail: 'injected',
      });
      return;
    }
    if (options.patch === false && req.method === 'PATCH') {
      res.status(501).json({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
        status: '501',
        detail: 'PATCH is not supported',
      });
      return;
    }
    next();
  });

  if (options.patch === false) {
    // SCIMMY's configuration is process-wide; this server alone says PATCH is unsupported.
    app.get('/scim/v2/ServiceProviderConfig', async (_req: Request, res: Response) => {
      const config = JSON.parse(JSON.stringify(await new SCIMMY.Resources.ServiceProviderConfig().read()));
      config.patch = { supported: false };
      res.type('application/scim+json').send(JSON.stringify(config));
    });
  }

  app.use(
    '/scim/v2',
    new SCIMMYRouters({
      type: options.oauth ? 'oauth' : 'bearer',
      docUri: 'https://example.test/docs/auth',
      handler: (req: Request) => {
        const [scheme, value] = (req.header('authorization') ?? '').split(' ');
        const expiry = value ? issued.get(value) : undefined;
        const valid =
          scheme === 'Bearer' && (value === token || (expiry !== undefined && expiry > Date.now()));
        if (!valid) throw new Error('Authorization failed');
        return 'test-client';
      },
      context: () => store,
    }),
  );
  // SCIMMY answers 5xx itself and then passes the error on; it is answered already.
  app.use((_error: unknown, _req: Request, _res: Response, _next: NextFunction) => {});

  const server = await new Promise<import('node:http').Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}/scim/v2`,
    tokenUrl: `http://127.0.0.1:${port}/oauth/token`,
    token,
    store,
    requests,
    failNext: (count, status, retryAfter) => {
      for (let i = 0; i < count; i++) faults.push({ status, retryAfter });
    },
    failPages: (failure) => {
      pageFailure = failure;
    },
    revokeTokens: () => issued.clear(),
    tokensIssued: () => issuedCount,
    seedUsers: (users) =>
      users.map((user) => {
        const now = store.stamp();
        const stored: Stored = {
          ...user,
          id: randomUUID(),
          meta: { resourceType: 'User', created: now, lastModified: now },
        };
        store.Users.set(stored.id, stored);
        return stored;
      }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
