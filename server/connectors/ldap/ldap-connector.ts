import type { ConnectionTest, Connector, DisableWrite } from '../../core/connector-port.ts';
import { createDisabledReading } from '../disabled-reading.ts';
import { ConnectorFailure } from '../failure-messages.ts';
import { accountDisabledAttribute } from './ldap-ad.ts';
import { closeLdap, openLdap } from './ldap-client.ts';
import { disabledInAttributes } from './ldap-disabled.ts';
import { describeLdapError } from './ldap-errors.ts';
import { normaliseDn } from './ldap-escape.ts';
import { lookupLdap } from './ldap-lookup.ts';
import type { LdapReads } from './ldap-query.ts';
import { attributeSchemaOnce } from './ldap-schema.ts';
import { searchLdap } from './ldap-search.ts';
import type { LdapConnection } from './ldap-settings.ts';
import { writeLdap } from './ldap-write.ts';

/**
 * An LDAP directory or Active Directory as a managed system (ldapts). The unique field key may be
 * an attribute (uid, employeeNumber, sAMAccountName) or `dn`, whose accounts are keyed by the
 * normalised DN. The directory's schema is read once, on the first read (ldap-schema.ts).
 */
export function createLdapConnector(connection: LdapConnection, uniqueFieldKey: string): Connector {
  const reads: LdapReads = {
    schemaOf: attributeSchemaOnce(connection),
    disabled: createDisabledReading((attributes) => disabledInAttributes(connection, attributes)),
  };
  return {
    test: () => testLdap(connection),
    schema: () => readSchema(connection, reads),
    search: (request) => searchLdap(connection, uniqueFieldKey, request, reads),
    lookup: (keys, request) => lookupLdap(connection, uniqueFieldKey, keys, request, reads),
    ...(connection.disable
      ? {
          isDisabled: (account) => reads.disabled.isDisabled(account),
          disableWrite: disableWriteOf(connection.disable),
        }
      : {}),
    memberships: { backLink: connection.entitlementAttribute ?? 'memberOf', member: 'member' },
    ...(uniqueFieldKey.toLowerCase() === 'dn' ? { keyAsRead: normaliseDn } : {}),
    write: (ops) => writeLdap(connection, uniqueFieldKey, ops),
    close: async () => {},
  };
}

/** AD's disable is the ACCOUNTDISABLE bit behind `accountDisabled`; another is one attribute. */
function disableWriteOf(disable: NonNullable<LdapConnection['disable']>): DisableWrite {
  if ('mode' in disable)
    return {
      attribute: accountDisabledAttribute,
      disabled: true,
      enabled: false,
      alsoWritten: ['userAccountControl'],
    };
  return { attribute: disable.attribute, disabled: disable.value, enabled: null, alsoWritten: [] };
}

async function testLdap(connection: LdapConnection): Promise<ConnectionTest> {
  let client: Awaited<ReturnType<typeof openLdap>>;
  try {
    client = await openLdap(connection);
  } catch (error) {
    return { ok: false, message: describeLdapError(error, connection, { connecting: true }) };
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

/**
 * The attribute names seen on a sample of entries under the base DN, multi-valued as the
 * directory's schema says (member, memberOf, objectClass and references always).
 */
async function readSchema(connection: LdapConnection, reads: LdapReads) {
  const client = await openLdap(connection).catch((error) => {
    throw new ConnectorFailure(describeLdapError(error, connection, { connecting: true }));
  });
  try {
    const schema = await reads.schemaOf(client);
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
    const multiValued = (name: string) =>
      lists.has(name.toLowerCase()) || schema?.get(name.toLowerCase())?.single === false;
    return [...names].sort().map((name) => ({ name, multiValued: multiValued(name) }));
  } catch (error) {
    throw new ConnectorFailure(describeLdapError(error, connection));
  } finally {
    await closeLdap(client);
  }
}
