import type { LookupRequest } from '../../core/connector-port.ts';
import type { Account } from '../../core/model.ts';
import { ConnectorFailure, lookingUp, readFailure } from '../failure-messages.ts';
import { accountShape } from './ldap-accounts.ts';
import { closeLdap, openLdap } from './ldap-client.ts';
import { describeLdapError } from './ldap-errors.ts';
import { isBase64, keyFilter } from './ldap-escape.ts';
import { andFilter, inScope, type LdapReads, readScope } from './ldap-query.ts';
import { createReferenceResolver } from './ldap-references.ts';
import type { LdapConnection } from './ldap-settings.ts';

/** Keys per OR filter: a few hundred keeps each request small for any directory. */
const perFilter = 100;

/**
 * Reads accounts by unique field key (keys runs, live changes, drift checks) under the search's
 * own base DN, scope and filter (readScope), so an entry the run's query leaves out is absent.
 * DNs are read with a base search each (a DN outside the scope is not looked for); other keys
 * with OR filters ANDed with the search's — binary keys (objectGUID) matched as bytes, which a
 * filter string could not do. Keys with no entry are absent from the answer.
 */
export async function lookupLdap(
  connection: LdapConnection,
  keyAttribute: string,
  keys: string[],
  request: LookupRequest,
  reads: LdapReads,
): Promise<Account[]> {
  const scope = readScope(connection, request);
  const binary = connection.binaryAttributes.some(
    (name) => name.toLowerCase() === keyAttribute.toLowerCase(),
  );
  const wanted = [...new Set(keys)];
  const during = lookingUp(wanted.length);
  const client = await openLdap(connection).catch((error) => {
    throw new ConnectorFailure(describeLdapError(error, connection, { connecting: true, during }));
  });
  const resolver = createReferenceResolver(client, connection, keyAttribute);
  const accounts: Account[] = [];
  try {
    const shape = accountShape(connection, keyAttribute, request.attributes ?? null, {
      schema: await reads.schemaOf(client),
      disabled: reads.disabled,
    });
    const keep = async (entries: Awaited<ReturnType<typeof client.search>>['searchEntries']) => {
      for (const entry of entries) {
        const reading = await shape.read(entry, resolver);
        if (reading && 'account' in reading) accounts.push(reading.account);
      }
    };
    const options = { attributes: shape.fetch, explicitBufferAttributes: connection.binaryAttributes };
    if (keyAttribute.toLowerCase() === 'dn') {
      for (const dn of wanted.filter((key) => inScope(scope, key))) {
        try {
          await keep(
            (await client.search(dn, { ...options, scope: 'base', filter: scope.filter })).searchEntries,
          );
        } catch (error) {
          if ((error as Error).name !== 'NoSuchObjectError') throw error;
        }
      }
      return accounts;
    }
    const valid = binary ? wanted.filter(isBase64) : wanted;
    for (let at = 0; at < valid.length; at += perFilter) {
      const filter = andFilter(scope, keyFilter(keyAttribute, valid.slice(at, at + perFilter), binary));
      const { searchEntries } = await client.search(scope.baseDn, { ...options, scope: scope.scope, filter });
      await keep(searchEntries);
    }
    return accounts;
  } catch (error) {
    throw readFailure(error, (e) => describeLdapError(e, connection, { during, baseDn: scope.baseDn }));
  } finally {
    await closeLdap(client);
  }
}
