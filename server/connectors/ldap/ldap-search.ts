import type { Entry } from 'ldapts';
import {
  ConnectorConfigError,
  type Page,
  type ReadProblem,
  type SearchRequest,
} from '../../core/connector-port.ts';
import type { Account } from '../../core/model.ts';
import { accountShape } from './ldap-accounts.ts';
import { closeLdap, describeLdapError, openLdap } from './ldap-client.ts';
import { createReferenceResolver } from './ldap-references.ts';
import type { LdapConnection } from './ldap-settings.ts';
import { generalizedToIso, laterWatermark, watermarkFilterValue } from './ldap-time.ts';

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
  const shape = accountShape(connection, keyAttribute, request.attributes ?? null);
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
      attributes: shape.fetch,
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
        const reading = await shape.read(entry, resolver);
        if (reading && 'account' in reading) accounts.push(reading.account);
        else if (reading) problems.push(reading.problem);
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

function markerOf(entry: Entry, wm: string): string | null {
  const value = Object.entries(entry).find(([name]) => name.toLowerCase() === wm.toLowerCase())?.[1];
  const first = Array.isArray(value) ? value[0] : value;
  if (typeof first !== 'string') return null;
  return wm === 'uSNChanged' ? first : (generalizedToIso(first) ?? first);
}
