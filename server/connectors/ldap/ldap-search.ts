import type { Entry } from 'ldapts';
import {
  ConnectorConfigError,
  type Page,
  type ReadProblem,
  type SearchRequest,
} from '../../core/connector-port.ts';
import type { Account, Attributes, AttributeValue } from '../../core/model.ts';
import { accountDisabledAttribute, readAccountDisabled } from './ldap-ad.ts';
import { closeLdap, describeLdapError, openLdap } from './ldap-client.ts';
import { normaliseDn } from './ldap-escape.ts';
import { createReferenceResolver } from './ldap-references.ts';
import type { LdapConnection } from './ldap-settings.ts';
import { generalizedToIso, laterWatermark, watermarkFilterValue } from './ldap-time.ts';

/** Entries that hold accounts rather than being accounts: without a key they are not a problem. */
const containerClasses = [
  'organizationalunit',
  'organization',
  'dcobject',
  'domain',
  'container',
  'builtindomain',
];

/** Read as lists even with one value: membership and class lists grow and shrink. */
const listAttributes = ['member', 'uniquemember', 'memberof', 'objectclass'];

/**
 * A paged search (RFC 2696), one Page per server page. The filter is the target query policy's,
 * or `(&(objectClass=*)<searchFilter>)`; an incremental search ANDs `(<watermark attr>>=<value>)`.
 * `>=` because the directory's clock has one-second resolution: entries changed in the same
 * second as the last one read come back again (harmless to the engine) rather than being missed.
 */
export async function* searchLdap(
  connection: LdapConnection,
  keyAttribute: string,
  request: SearchRequest,
): AsyncGenerator<Page> {
  const query = request.query;
  if (query && query.type !== 'ldap') {
    throw new ConnectorConfigError('query', `an ldap system takes an ldap query, not ${query.type}`);
  }
  const wm = connection.watermarkAttribute;
  let filter = query
    ? wrap(query.filter)
    : `(&(objectClass=*)${request.searchFilter ? wrap(request.searchFilter) : ''})`;
  if (request.watermark) filter = `(&${filter}(${wm}>=${watermarkFilterValue(request.watermark, wm)}))`;
  const byDn = keyAttribute.toLowerCase() === 'dn';
  const requested = request.attributes ?? null;
  const derivesDisabled =
    connection.disable !== undefined &&
    'mode' in connection.disable &&
    (requested?.includes(accountDisabledAttribute) ?? false);
  const fetch = requested
    ? [
        ...new Set([
          ...(byDn ? [] : [keyAttribute]),
          ...requested.filter((name) => name !== accountDisabledAttribute),
          ...(derivesDisabled ? ['userAccountControl'] : []),
          wm,
          'objectClass',
        ]),
      ]
    : ['*', wm, ...(connection.entitlementAttribute ? [connection.entitlementAttribute] : [])];
  const references = new Set(connection.referenceAttributes.map((name) => name.toLowerCase()));
  const lists = new Set([
    ...listAttributes,
    ...references,
    connection.entitlementAttribute?.toLowerCase() ?? 'memberof',
  ]);
  const names = new Map(
    [...(requested ?? []), ...(byDn ? [] : [keyAttribute])].map((name) => [name.toLowerCase(), name]),
  );
  let watermark: string | null = request.watermark ?? null;

  let client: Awaited<ReturnType<typeof openLdap>>;
  try {
    client = await openLdap(connection);
  } catch (error) {
    throw new Error(describeLdapError(error, connection));
  }
  const resolver = createReferenceResolver(client, connection, keyAttribute);
  try {
    const pages = client.searchPaginated(query?.baseDn ?? connection.baseDn, {
      scope: query?.scope ?? connection.scope,
      filter,
      attributes: fetch,
      paged: { pageSize: request.pageSize ?? connection.pageSize },
      explicitBufferAttributes: connection.binaryAttributes,
    });
    let yielded = false;
    for await (const result of pages) {
      const accounts: Account[] = [];
      const problems: ReadProblem[] = [];
      for (const entry of result.searchEntries) {
        const marker = markerOf(entry, wm);
        watermark = laterWatermark(watermark, marker, wm);
        const attributes = attributesOf(entry, { wm, requested, names, lists });
        if (derivesDisabled) readAccountDisabled(entry, attributes, requested ?? []);
        for (const [name, value] of Object.entries(attributes)) {
          if (references.has(name.toLowerCase()) && Array.isArray(value)) {
            attributes[name] = await resolver.toKeys(value);
          }
        }
        const key = byDn
          ? normaliseDn(entry.dn)
          : attributes[names.get(keyAttribute.toLowerCase()) ?? keyAttribute];
        if (typeof key !== 'string' || key === '') {
          if (isContainer(entry)) continue;
          problems.push({
            key: entry.dn,
            message: `entry ${entry.dn} has no single "${keyAttribute}" (the unique field key)`,
          });
          continue;
        }
        if (byDn) attributes.dn = entry.dn;
        accounts.push({ key, attributes });
      }
      yielded = true;
      yield { accounts, problems, watermark };
    }
    if (!yielded) yield { accounts: [], problems: [], watermark };
  } catch (error) {
    if (error instanceof ConnectorConfigError) throw error;
    throw new Error(`the search failed: ${describeLdapError(error, connection)}`);
  } finally {
    await closeLdap(client);
  }
}

/** A filter as written in a config may leave out its outer parentheses. */
function wrap(filter: string): string {
  const trimmed = filter.trim();
  return trimmed.startsWith('(') ? trimmed : `(${trimmed})`;
}

function isContainer(entry: Entry): boolean {
  const classes = Object.entries(entry).find(([name]) => name.toLowerCase() === 'objectclass')?.[1];
  return (Array.isArray(classes) ? classes : [classes]).some((c) =>
    containerClasses.includes(String(c).toLowerCase()),
  );
}

function markerOf(entry: Entry, wm: string): string | null {
  const value = Object.entries(entry).find(([name]) => name.toLowerCase() === wm.toLowerCase())?.[1];
  const first = Array.isArray(value) ? value[0] : value;
  if (typeof first !== 'string') return null;
  return wm === 'uSNChanged' ? first : (generalizedToIso(first) ?? first);
}

type Shape = { wm: string; requested: string[] | null; names: Map<string, string>; lists: Set<string> };

function attributesOf(entry: Entry, shape: Shape): Attributes {
  const attributes: Attributes = {};
  for (const [rawName, raw] of Object.entries(entry)) {
    const lower = rawName.toLowerCase();
    if (lower === 'dn') continue;
    const name = shape.names.get(lower) ?? rawName;
    if (lower === shape.wm.toLowerCase() && !shape.names.has(lower)) continue;
    if (shape.requested && !shape.names.has(lower)) continue;
    attributes[name] = attributeValue(raw, shape.lists.has(lower));
  }
  for (const name of shape.requested ?? [])
    if (!(name in attributes) && name.toLowerCase() !== 'dn')
      attributes[name] = shape.lists.has(name.toLowerCase()) ? [] : null;
  return attributes;
}

function attributeValue(raw: Entry[string], list: boolean): AttributeValue {
  const values = (Array.isArray(raw) ? raw : [raw]).map((v) =>
    Buffer.isBuffer(v) ? v.toString('base64') : String(v),
  );
  if (list || values.length > 1) return values;
  return values[0] ?? null;
}
