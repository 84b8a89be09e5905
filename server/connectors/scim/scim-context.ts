import { ConnectorConfigError } from '../../core/connector-port.ts';
import { normalizeKey } from '../../core/normalize-key.ts';
import { createDisabledReading, type DisabledReading } from '../disabled-reading.ts';
import {
  type AttributePath,
  disabledIn,
  parseAttributeName,
  type ScimResource,
  scimPath,
  toAttributes,
} from './scim-attributes.ts';
import { ScimError } from './scim-errors.ts';
import { allOf, anyOf, equals, type Filter, printFilter } from './scim-filter.ts';
import { createScimHttp, type ScimHttp } from './scim-http.ts';
import type { ScimConnection } from './scim-settings.ts';

export type ListResponse = {
  totalResults?: number;
  itemsPerPage?: number;
  startIndex?: number;
  Resources?: ScimResource[];
};

/** What the connector learnt from /ServiceProviderConfig (RFC 7643 §5). */
export type ProviderConfig = {
  patch: boolean;
  filter: boolean;
  maxResults?: number;
  sort: boolean;
  bulk: boolean;
};

const coreSchemas = {
  User: 'urn:ietf:params:scim:schemas:core:2.0:User',
  Group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
} as const;

/**
 * The state one SCIM connector shares between its reads and writes: the HTTP client, the unique
 * field key as a SCIM path, the ids of the accounts it has read (writes address `/Users/{id}`, and
 * a key found by a search needs no second look-up), and what the server says it supports.
 */
export type ScimContext = {
  http: ScimHttp;
  connection: ScimConnection;
  endpoint: '/Users' | '/Groups';
  schema: string;
  uniqueFieldKey: string;
  keyPath: AttributePath;
  keyOf(resource: ScimResource): string | undefined;
  remember(resource: ScimResource): void;
  provider(): Promise<ProviderConfig>;
  /** Resources matching a filter, all pages. */
  list(
    filter: Filter | undefined,
    attributes?: string[],
  ): AsyncIterable<{ resources: ScimResource[]; total: number }>;
  /** The resources with these keys, under a filter if given (absent keys are simply missing). */
  findByKeys(keys: string[], attributes?: string[], within?: Filter): Promise<ScimResource[]>;
  /** The resource id of an account key, or undefined when there is none. */
  resolveId(key: string): Promise<string | undefined>;
  /** Whether the server really applies an `eq` filter on the key (some answer 200 with nothing). */
  filtersHonoured(): Promise<boolean | undefined>;
  /** Whether `eq` on the key compares case-sensitively (RFC 7643 says userName must not). */
  caseSensitive(): Promise<boolean | undefined>;
  /** What reads noted about disabled users (`active: false`), for isDisabled. */
  disabled: DisabledReading;
};

export function createScimContext(connection: ScimConnection, uniqueFieldKey: string): ScimContext {
  const http = createScimHttp(connection);
  const keyPath = parseKey(uniqueFieldKey);
  const ids = new Map<string, string>();
  const folded = new Map<string, string>();
  let provider: Promise<ProviderConfig> | undefined;
  let honoured: Promise<boolean | undefined> | undefined;
  let caseSensitive: Promise<boolean | undefined> | undefined;
  const endpoint = connection.resourceType === 'User' ? '/Users' : '/Groups';
  const keyOf = (resource: ScimResource) => {
    const value = toAttributes(resource)[uniqueFieldKey];
    return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
  };

  const context: ScimContext = {
    http,
    connection,
    endpoint,
    schema: coreSchemas[connection.resourceType],
    uniqueFieldKey,
    keyPath,
    keyOf,
    remember(resource) {
      const key = keyOf(resource);
      if (key === undefined || typeof resource.id !== 'string') return;
      ids.set(key, resource.id);
      folded.set(normalizeKey(key), resource.id);
    },
    provider() {
      provider ??= readProvider(http);
      return provider;
    },
    async *list(filter, attributes) {
      let startIndex = 1;
      for (;;) {
        const query: Record<string, string | number> = { startIndex, count: connection.pageSize };
        if (filter) query.filter = printFilter(filter);
        if (attributes && attributes.length > 0) query.attributes = attributes.join(',');
        const { body } = await http.request<ListResponse>('GET', endpoint, { query });
        const resources = body?.Resources ?? [];
        const total = body?.totalResults ?? resources.length;
        for (const resource of resources) context.remember(resource);
        yield { resources, total };
        startIndex += resources.length;
        if (resources.length === 0 || startIndex > total) return;
      }
    },
    findByKeys: (keys, attributes, within) => findByKeys(context, keys, attributes, within),
    async resolveId(key) {
      if (uniqueFieldKey === 'id') return key;
      const known = ids.get(key) ?? folded.get(normalizeKey(key));
      if (known) return known;
      // Whole resources when keyed by an extension: SCIMMY answers `attributes=urn:…` with 400.
      const [found] = await findByKeys(context, [key], keyPath.urn ? undefined : ['id', scimPath(keyPath)]);
      return found?.id;
    },
    filtersHonoured() {
      honoured ??= probeFilters(context, false);
      return honoured;
    },
    caseSensitive() {
      caseSensitive ??= probeFilters(context, true).then((found) =>
        found === undefined ? undefined : !found,
      );
      return caseSensitive;
    },
    disabled: createDisabledReading(disabledIn),
  };
  return context;
}

function parseKey(uniqueFieldKey: string): AttributePath {
  try {
    const path = parseAttributeName(uniqueFieldKey);
    if (path.name === 'meta') throw new Error('meta');
    return path;
  } catch {
    throw new ConnectorConfigError(
      'uniqueFieldKey',
      `"${uniqueFieldKey}" cannot key SCIM accounts; use userName, externalId, displayName or id`,
    );
  }
}

async function readProvider(http: ScimHttp): Promise<ProviderConfig> {
  const { body } = await http.request<Record<string, { supported?: boolean; maxResults?: number }>>(
    'GET',
    '/ServiceProviderConfig',
    { accept: [404] },
  );
  // A server without the endpoint is taken at the RFC's word: PATCH and filters are required.
  return {
    patch: body?.patch?.supported ?? true,
    filter: body?.filter?.supported ?? true,
    ...(body?.filter?.maxResults ? { maxResults: body.filter.maxResults } : {}),
    sort: body?.sort?.supported ?? false,
    bulk: body?.bulk?.supported ?? false,
  };
}

const swapCase = (key: string) =>
  [...key].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join('');

/**
 * Reads one resource unfiltered, then asks for it by its key (`swapped`: in swapped case): a server that
 * answers that with nothing ignores filters (some answer a filter they cannot parse with 200 and
 * no results), or compares case-sensitively. Undefined when there is no resource to try it on.
 */
async function probeFilters(context: ScimContext, swapped: boolean): Promise<boolean | undefined> {
  const { body } = await context.http.request<ListResponse>('GET', context.endpoint, {
    query: { startIndex: 1, count: 1 },
  });
  const sample = body?.Resources?.[0];
  const key = sample ? context.keyOf(sample) : undefined;
  if (!sample || key === undefined || (swapped && swapCase(key) === key)) return undefined;
  const filter = equals(scimPath(context.keyPath), swapped ? swapCase(key) : key);
  const answer = await context.http.request<ListResponse>('GET', context.endpoint, {
    query: { filter: printFilter(filter), startIndex: 1, count: 5 },
  });
  return (answer.body?.Resources ?? []).some((resource) => resource.id === sample.id);
}

/** Keys per look-up request: an `or` of this many stays well inside URL limits. */
const lookupBatch = 50;

/** A value JSON must escape (`"`, `\\`, control characters): not every server parses the escape. */
const needsEscape = (key: string) => JSON.stringify(key) !== `"${key}"`;

/**
 * Resources by key: `<key> eq "…" or …` in batches, every value escaped by the filter printer.
 * The answers are matched back to the keys here (exactly, else case-insensitively), since servers
 * differ: some compare userName case-sensitively, some ignore a filter and answer everything,
 * some refuse (400) or silently miss an escaped quote or backslash. Keys the filter could not
 * find that way (on a case-sensitive server: any key not found) are looked for in one full read.
 */
async function findByKeys(
  context: ScimContext,
  keys: string[],
  attributes?: string[],
  within?: Filter,
): Promise<ScimResource[]> {
  const path = context.uniqueFieldKey === 'id' ? 'id' : scimPath(context.keyPath);
  const byKey = new Map<string, ScimResource>();
  const seen: ScimResource[] = [];
  const refused: string[] = [];
  const ask = async (batch: string[]) => {
    try {
      for await (const { resources } of context.list(
        allOf([within, anyOf(batch.map((key) => equals(path, key)))]),
        attributes,
      )) {
        seen.push(...resources);
      }
    } catch (error) {
      if (!(error instanceof ScimError) || error.status !== 400) throw error;
      if (batch.length === 1) refused.push(batch[0]!);
      else for (const key of batch) await ask([key]);
    }
  };
  for (let i = 0; i < keys.length; i += lookupBatch) await ask(keys.slice(i, i + lookupBatch));
  const match = (resources: ScimResource[], wanted: string[]) => {
    const exact = new Map(resources.map((r) => [context.keyOf(r) ?? '', r]));
    const loose = new Map(resources.map((r) => [normalizeKey(context.keyOf(r) ?? ''), r]));
    for (const key of wanted) {
      const found = exact.get(key) ?? loose.get(normalizeKey(key));
      if (found) byKey.set(key, found);
    }
  };
  match(seen, keys);
  const missing = keys.filter((key) => !byKey.has(key));
  const sensitive =
    missing.length > 0 && context.uniqueFieldKey !== 'id' && (await context.caseSensitive()) === true;
  const scan = missing.filter((key) => sensitive || refused.includes(key) || needsEscape(key));
  if (scan.length > 0) {
    const all: ScimResource[] = [];
    for await (const { resources } of context.list(within, attributes)) all.push(...resources);
    match(all, scan);
  }
  return [...new Set(byKey.values())];
}
