import type { SearchRequest } from '../../core/connector-port.ts';
import type { Account } from '../../core/model.ts';
import { accountShape } from './ldap-accounts.ts';
import { closeLdap, describeLdapError, openLdap } from './ldap-client.ts';
import { isBase64, keyFilter, normaliseDn } from './ldap-escape.ts';
import { createReferenceResolver } from './ldap-references.ts';
import type { LdapConnection } from './ldap-settings.ts';

/** Keys per OR filter: a few hundred keeps each request small for any directory. */
const perFilter = 100;

/**
 * Reads accounts by unique field key (keys runs, live changes, drift checks). DNs are read with a
 * base search each; other keys with OR filters under the base DN — binary keys (objectGUID)
 * matched as bytes, which a filter string built by the engine could not do. Keys with no entry
 * are absent from the answer.
 */
export async function lookupLdap(
  connection: LdapConnection,
  keyAttribute: string,
  keys: string[],
  request: Pick<SearchRequest, 'attributes'>,
): Promise<Account[]> {
  const shape = accountShape(connection, keyAttribute, request.attributes ?? null);
  const binary = connection.binaryAttributes.some(
    (name) => name.toLowerCase() === keyAttribute.toLowerCase(),
  );
  const wanted = [...new Set(keys)];
  const client = await openLdap(connection).catch((error) => {
    throw new Error(describeLdapError(error, connection));
  });
  const resolver = createReferenceResolver(client, connection, keyAttribute);
  const accounts: Account[] = [];
  const keep = async (entries: Awaited<ReturnType<typeof client.search>>['searchEntries']) => {
    for (const entry of entries) {
      const reading = await shape.read(entry, resolver);
      if (reading && 'account' in reading) accounts.push(reading.account);
    }
  };
  const options = { attributes: shape.fetch, explicitBufferAttributes: connection.binaryAttributes };
  try {
    if (keyAttribute.toLowerCase() === 'dn') {
      const under = normaliseDn(connection.baseDn);
      for (const dn of wanted.filter((key) => normaliseDn(key).endsWith(under))) {
        try {
          await keep((await client.search(dn, { ...options, scope: 'base' })).searchEntries);
        } catch (error) {
          if ((error as Error).name !== 'NoSuchObjectError') throw error;
        }
      }
      return accounts;
    }
    const valid = binary ? wanted.filter(isBase64) : wanted;
    for (let at = 0; at < valid.length; at += perFilter) {
      const filter = keyFilter(keyAttribute, valid.slice(at, at + perFilter), binary);
      const { searchEntries } = await client.search(connection.baseDn, {
        ...options,
        scope: connection.scope,
        filter,
      });
      await keep(searchEntries);
    }
    return accounts;
  } catch (error) {
    throw new Error(`the lookup failed: ${describeLdapError(error, connection)}`);
  } finally {
    await closeLdap(client);
  }
}
