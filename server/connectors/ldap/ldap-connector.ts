import type { ConnectionTest, Connector } from '../../core/connector-port.ts';
import { closeLdap, describeLdapError, openLdap } from './ldap-client.ts';
import { lookupLdap } from './ldap-lookup.ts';
import { searchLdap } from './ldap-search.ts';
import type { LdapConnection } from './ldap-settings.ts';
import { writeLdap } from './ldap-write.ts';

/**
 * An LDAP directory or Active Directory as a managed system (ldapts). The unique field key may be
 * an attribute (uid, employeeNumber, sAMAccountName) or `dn`, whose accounts are keyed by the
 * normalised DN.
 */
export function createLdapConnector(connection: LdapConnection, uniqueFieldKey: string): Connector {
  return {
    test: () => testLdap(connection),
    schema: () => readSchema(connection),
    search: (request) => searchLdap(connection, uniqueFieldKey, request),
    lookup: (keys, request) => lookupLdap(connection, uniqueFieldKey, keys, request),
    write: (ops) => writeLdap(connection, uniqueFieldKey, ops),
    close: async () => {},
  };
}

async function testLdap(connection: LdapConnection): Promise<ConnectionTest> {
  let client: Awaited<ReturnType<typeof openLdap>>;
  try {
    client = await openLdap(connection);
  } catch (error) {
    return { ok: false, message: describeLdapError(error, connection) };
  }
  try {
    await client.search(connection.baseDn, { scope: 'base', filter: '(objectClass=*)', attributes: ['1.1'] });
    const who = connection.bindDn ? `bound as "${connection.bindDn}"` : 'bound anonymously';
    return { ok: true, message: `${who}; base DN "${connection.baseDn}" found` };
  } catch (error) {
    return { ok: false, message: describeLdapError(error, connection) };
  } finally {
    await closeLdap(client);
  }
}

/** The attribute names seen on a sample of entries under the base DN: schema without parsing it. */
async function readSchema(connection: LdapConnection) {
  const client = await openLdap(connection).catch((error) => {
    throw new Error(describeLdapError(error, connection));
  });
  try {
    const { searchEntries } = await client.search(connection.baseDn, {
      scope: connection.scope,
      filter: '(objectClass=*)',
      sizeLimit: 200,
      attributes: ['*'],
    });
    const names = new Set<string>();
    for (const entry of searchEntries)
      for (const name of Object.keys(entry)) if (name !== 'dn') names.add(name);
    const lists = new Set(
      ['member', 'memberOf', 'objectClass', ...connection.referenceAttributes].map((name) =>
        name.toLowerCase(),
      ),
    );
    return [...names].sort().map((name) => ({ name, multiValued: lists.has(name.toLowerCase()) }));
  } finally {
    await closeLdap(client);
  }
}
