import {
  ConnectorConfigError,
  type LookupRequest,
  type Page,
  type ReadProblem,
  type SearchRequest,
} from '../../core/connector-port.ts';
import type { Account, Attributes } from '../../core/model.ts';
import { ConnectorFailure, lookingUp, readingPage } from '../failure-messages.ts';
import {
  disabledIn,
  parseAttributeName,
  type ScimResource,
  scimPath,
  toAttributes,
} from './scim-attributes.ts';
import type { ListResponse, ScimContext } from './scim-context.ts';
import { ScimError } from './scim-errors.ts';
import { allOf, atOrAfter, type Filter, parseSearchFilter, printFilter } from './scim-filter.ts';

const lastModified = 'meta.lastModified';

/**
 * The `attributes=` list: the policy map's attributes as SCIM paths (each whole top-level
 * attribute: `emails.work` and `name.givenName` come from `emails` and `name`), plus what trueup
 * itself needs.
 */
function requestedAttributes(
  context: ScimContext,
  attributes: string[] | null | undefined,
): string[] | undefined {
  if (!attributes || attributes.length === 0) return undefined;
  const wanted = [
    context.keyPath,
    ...attributes.map(parseAttributeName),
    // isDisabled reads `active` whatever the policy map asks for.
    ...(context.connection.resourceType === 'User' ? [{ name: 'active' }] : []),
  ];
  // Whole resources when an extension is wanted: SCIMMY answers `attributes=urn:…` with 400.
  if (wanted.some((path) => path.urn)) return undefined;
  // All of meta: SCIMMY answers `meta.lastModified` alone with 400 (meta.resourceType missing).
  const paths = new Set(['id', 'meta']);
  for (const path of wanted) paths.add(scimPath({ ...path, sub: undefined }));
  return [...paths];
}

/**
 * The account of a resource. With the policy map's `attributes`, only those (and the key) are
 * kept, whatever the server sent; one the resource lacks is null (SCIM leaves unset attributes out).
 */
function toAccount(
  context: ScimContext,
  resource: ScimResource,
  problems: ReadProblem[],
  attributes: string[] | null | undefined,
): Account | undefined {
  const key = context.keyOf(resource);
  if (key === undefined) {
    problems.push({ message: `SCIM resource ${String(resource.id)} has no ${context.uniqueFieldKey}` });
    return undefined;
  }
  const all = toAttributes(resource);
  context.disabled.note(key, disabledIn(all));
  if (!attributes || attributes.length === 0) return { key, attributes: all };
  const kept: Attributes = {};
  for (const name of [context.uniqueFieldKey, ...attributes]) kept[name] = all[name] ?? null;
  return { key, attributes: kept };
}

/**
 * The config's search filter, parsed (a SCIM system takes no policy query): what a search reads
 * and what its look-ups read under.
 */
function scopeFilter(request: LookupRequest): Filter | undefined {
  if (request.query) {
    throw new ConnectorConfigError(
      'query',
      `a SCIM system filters with the config's targetSearchFilter (a SCIM filter), not a ${request.query.type} query`,
    );
  }
  return request.searchFilter ? parseSearchFilter(request.searchFilter) : undefined;
}

/** A failure as one sentence, saying where the read was. */
function failedWhile(context: ScimContext, error: unknown, during: string): unknown {
  if (error instanceof ScimError) return error.whileReading(during);
  if (error instanceof ConnectorFailure || error instanceof ConnectorConfigError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ConnectorFailure(
    `${context.http.system} failed (${message}) ${during}: check its log, then run again`,
  );
}

function later(a: string | null, b: unknown): string | null {
  if (typeof b !== 'string' || Number.isNaN(Date.parse(b))) return a;
  return a === null || Date.parse(b) > Date.parse(a) ? b : a;
}

/**
 * Full reads page with `startIndex`/`count`; incremental reads add `meta.lastModified ge "<watermark>"`
 * (at or after: see the README). The filter is the config's `targetSearchFilter`, parsed and
 * re-printed with the delta clause.
 */
export async function* searchScim(context: ScimContext, request: SearchRequest): AsyncIterable<Page> {
  const base = scopeFilter(request);
  const since = request.watermark ?? null;
  const delta =
    since && context.connection.deltas === 'lastModified' ? atOrAfter(lastModified, since) : undefined;
  const filter = allOf([base, delta]);
  const attributes = requestedAttributes(context, request.attributes);
  let watermark = since;
  let page = 1;
  let read = 0;
  const noun = context.endpoint.slice(1).toLowerCase();
  try {
    for await (const { resources, total } of context.list(filter, attributes)) {
      if (page === 1 && delta && total === 0) await assertDeltaFilterWorks(context);
      const problems: ReadProblem[] = [];
      const accounts: Account[] = [];
      for (const resource of resources) {
        const account = toAccount(context, resource, problems, request.attributes);
        if (account) accounts.push(account);
        watermark = later(watermark, resource.meta?.lastModified);
      }
      read += resources.length;
      page++;
      yield { accounts, problems, watermark };
    }
  } catch (error) {
    throw failedWhile(context, error, readingPage(page, read, noun));
  }
}

/**
 * `ge` always returns the object read last (unless it was deleted), so an empty delta is worth a
 * second look: a server that cannot filter on meta.lastModified may answer 200 with nothing.
 */
async function assertDeltaFilterWorks(context: ScimContext) {
  const all = await context.http.request<ListResponse>('GET', context.endpoint, { query: { count: 1 } });
  if ((all.body?.totalResults ?? 0) === 0) return;
  const since = atOrAfter(lastModified, '1970-01-01T00:00:00Z');
  const probe = await context.http.request<ListResponse>('GET', context.endpoint, {
    query: { count: 1, filter: printFilter(since) },
  });
  if ((probe.body?.totalResults ?? 0) === 0) {
    throw new ConnectorFailure(
      `${context.http.system} answers a filter on meta.lastModified with no results: set the system's deltas to "none", then run again`,
    );
  }
}

/**
 * Accounts by key under the search's filter (an account the config's filter leaves out is absent
 * here too); see findByKeys in scim-context.ts for how servers' filter quirks are met.
 */
export async function lookupScim(
  context: ScimContext,
  keys: string[],
  request: LookupRequest,
): Promise<Account[]> {
  const base = scopeFilter(request);
  const problems: ReadProblem[] = [];
  try {
    const resources = await context.findByKeys(keys, requestedAttributes(context, request.attributes), base);
    return resources.flatMap((resource) => toAccount(context, resource, problems, request.attributes) ?? []);
  } catch (error) {
    throw failedWhile(context, error, lookingUp(keys.length));
  }
}
