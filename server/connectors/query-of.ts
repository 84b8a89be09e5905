import { ConnectorConfigError, type SearchRequest } from '../core/connector-port.ts';
import type { ConnectorQuery } from '../core/model.ts';

/**
 * The request's query when it is of this connector's type. CSV and SQL systems filter only through
 * a target query policy, so a bare `searchFilter` is refused with the policy field to use instead.
 */
export function queryOf<T extends 'csv' | 'sql'>(
  type: T,
  request: SearchRequest,
  policyFields: string,
): Extract<ConnectorQuery, { type: T }> | undefined {
  const query = request.query;
  if (query && query.type !== type) {
    throw new ConnectorConfigError('query', `a ${type} system takes a ${type} query, not ${query.type}`);
  }
  if (!query && request.searchFilter) {
    throw new ConnectorConfigError(
      'searchFilter',
      `a ${type} system filters with a target query policy (${policyFields})`,
    );
  }
  return query as Extract<ConnectorQuery, { type: T }> | undefined;
}
