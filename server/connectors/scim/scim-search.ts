import {
  ConnectorConfigError,
  type Page,
  type ReadProblem,
  type SearchRequest,
} from '../../core/connector-port.ts';
import type { Account, Attributes } from '../../core/model.ts';
import { parseAttributeName, type ScimResource, scimPath, toAttributes } from './scim-attributes.ts';
import type { ListResponse, ScimContext } from './scim-context.ts';
import { allOf, atOrAfter, parseSearchFilter, printFilter } from './scim-filter.ts';

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
  const wanted = [context.keyPath, ...attributes.map(parseAttributeName)];
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
  if (!attributes || attributes.length === 0) return { key, attributes: all };
  const kept: Attributes = {};
  for (const name of [context.uniqueFieldKey, ...attributes]) kept[name] = all[name] ?? null;
  return { key, attributes: kept };
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
  if (request.query) {
    throw new ConnectorConfigError(
      'query',
      `a SCIM system filters with the config's targetSearchFilter (a SCIM filter), not a ${request.query.type} query`,
    );
  }
  const since = request.watermark ?? null;
  const delta =
    since && context.connection.deltas === 'lastModified' ? atOrAfter(lastModified, since) : undefined;
  const base = request.searchFilter ? parseSearchFilter(request.searchFilter) : undefined;
  const filter = allOf([base, delta]);
  const attributes = requestedAttributes(context, request.attributes);
  let watermark = since;
  let first = true;
  for await (const { resources, total } of context.list(filter, attributes)) {
    if (first && delta && total === 0) await assertDeltaFilterWorks(context);
    first = false;
    const problems: ReadProblem[] = [];
    const accounts: Account[] = [];
    for (const resource of resources) {
      const account = toAccount(context, resource, problems, request.attributes);
      if (account) accounts.push(account);
      watermark = later(watermark, resource.meta?.lastModified);
    }
    yield { accounts, problems, watermark };
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
    throw new Error(
      `SCIM server ${context.http.host} answers a filter on meta.lastModified with no results; set the system's deltas to "none"`,
    );
  }
}

/** Accounts by key (see findByKeys in scim-context.ts for how servers' filter quirks are met). */
export async function lookupScim(
  context: ScimContext,
  keys: string[],
  request: Pick<SearchRequest, 'attributes'>,
): Promise<Account[]> {
  const problems: ReadProblem[] = [];
  const resources = await context.findByKeys(keys, requestedAttributes(context, request.attributes));
  return resources.flatMap((resource) => toAccount(context, resource, problems, request.attributes) ?? []);
}
