import type { Entry } from 'ldapts';
import type { Page, ReadProblem, SearchRequest } from '../../core/connector-port.ts';
import type { Account } from '../../core/model.ts';
import { ConnectorFailure, readFailure, readingPage } from '../failure-messages.ts';
import { accountShape } from './ldap-accounts.ts';
import { closeLdap, openLdap } from './ldap-client.ts';
import { describeLdapError } from './ldap-errors.ts';
import { type LdapReads, readScope } from './ldap-query.ts';
import { createReferenceResolver } from './ldap-references.ts';
import type { LdapConnection } from './ldap-settings.ts';
import { generalizedToIso, laterWatermark, watermarkFilterValue } from './ldap-time.ts';

/**
 * A paged search (RFC 2696), one Page per server page. The filter is the target query policy's,
 * or `(&(objectClass=*)<searchFilter>)`; an incremental search ANDs `(<watermark attr>>=<value>)`.
 * `>=` because the directory's clock has one-second resolution: entries changed in the same
 * second as the last one read come back again (harmless to the engine) rather than being missed.
 * A failure says which page it stopped at (issue 15: never a partial read taken for a whole one).
 */
export async function* searchLdap(
  connection: LdapConnection,
  keyAttribute: string,
  request: SearchRequest,
  reads: LdapReads,
): AsyncGenerator<Page> {
  const scope = readScope(connection, request);
  const wm = connection.watermarkAttribute;
  const filter = request.watermark
    ? `(&${scope.filter}(${wm}>=${watermarkFilterValue(request.watermark, wm)}))`
    : scope.filter;
  let watermark: string | null = request.watermark ?? null;
  let page = 1;
  let read = 0;
  const during = () => readingPage(page, read, 'entries');

  let client: Awaited<ReturnType<typeof openLdap>>;
  try {
    client = await openLdap(connection);
  } catch (error) {
    throw new ConnectorFailure(describeLdapError(error, connection, { connecting: true, during: during() }));
  }
  const resolver = createReferenceResolver(client, connection, keyAttribute);
  try {
    const shape = accountShape(connection, keyAttribute, request.attributes ?? null, {
      schema: await reads.schemaOf(client),
      disabled: reads.disabled,
    });
    const pages = client.searchPaginated(scope.baseDn, {
      scope: scope.scope,
      filter,
      attributes: shape.fetch,
      paged: { pageSize: request.pageSize ?? connection.pageSize },
      explicitBufferAttributes: connection.binaryAttributes,
    });
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
      read += result.searchEntries.length;
      page++;
      yield { accounts, problems, watermark };
    }
    if (page === 1) yield { accounts: [], problems: [], watermark };
  } catch (error) {
    throw readFailure(error, (e) =>
      describeLdapError(e, connection, { during: during(), baseDn: scope.baseDn }),
    );
  } finally {
    await closeLdap(client);
  }
}

function markerOf(entry: Entry, wm: string): string | null {
  const value = Object.entries(entry).find(([name]) => name.toLowerCase() === wm.toLowerCase())?.[1];
  const first = Array.isArray(value) ? value[0] : value;
  if (typeof first !== 'string') return null;
  return wm === 'uSNChanged' ? first : (generalizedToIso(first) ?? first);
}
