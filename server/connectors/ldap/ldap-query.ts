import { AndFilter, type Client, type Filter, FilterParser } from 'ldapts';
import { ConnectorConfigError, type LookupRequest } from '../../core/connector-port.ts';
import type { DisabledReading } from '../disabled-reading.ts';
import { normaliseDn } from './ldap-escape.ts';
import type { AttributeSchema } from './ldap-schema.ts';

/** What a connector's reads share: its schema (read once) and what they noted for isDisabled. */
export type LdapReads = {
  schemaOf(client: Client): Promise<AttributeSchema | null>;
  disabled: DisabledReading;
};

/** Where a read looks: a base DN, a scope and a filter. */
export type ReadScope = { baseDn: string; scope: 'base' | 'one' | 'sub'; filter: string };

/**
 * The target query policy's filter, base DN and scope, else `(&(objectClass=*)<searchFilter>)`
 * under the connection's base DN and scope: the same for a search and for the look-ups made
 * under it, so an entry the run's query leaves out is absent from both.
 */
export function readScope(
  connection: { baseDn: string; scope: ReadScope['scope'] },
  request: LookupRequest,
): ReadScope {
  const query = request.query;
  if (query && query.type !== 'ldap') {
    throw new ConnectorConfigError('query', `an ldap system takes an ldap query, not ${query.type}`);
  }
  return {
    baseDn: query?.baseDn ?? connection.baseDn,
    scope: query?.scope ?? connection.scope,
    filter: query
      ? wrap(query.filter)
      : `(&(objectClass=*)${request.searchFilter ? wrap(request.searchFilter) : ''})`,
  };
}

/** A filter as written in a config may leave out its outer parentheses. */
function wrap(filter: string): string {
  const trimmed = filter.trim();
  return trimmed.startsWith('(') ? trimmed : `(${trimmed})`;
}

/** The scope's filter ANDed with another (a key filter, which may be a filter object for bytes). */
export function andFilter(scope: ReadScope, other: Filter | string): Filter | string {
  if (typeof other === 'string') return `(&${scope.filter}${other})`;
  return new AndFilter({ filters: [FilterParser.parseString(scope.filter), other] });
}

/** Whether a DN lies in the scope: the base itself, a child of it, or anything under it. */
export function inScope(scope: ReadScope, dn: string): boolean {
  const base = normaliseDn(scope.baseDn);
  const entry = normaliseDn(dn);
  if (scope.scope === 'base') return entry === base;
  if (scope.scope === 'one') return parentOf(entry) === base;
  return entry === base || entry.endsWith(`,${base}`);
}

/** The DN without its first RDN (escaped commas are part of a value). */
function parentOf(dn: string): string | undefined {
  for (let i = 0; i < dn.length; i++) {
    if (dn[i] === '\\') i++;
    else if (dn[i] === ',') return dn.slice(i + 1);
  }
  return undefined;
}
