import { type Filter, parse, stringify } from 'scim2-parse-filter';
import { ConnectorConfigError } from '../../core/connector-port.ts';

/**
 * SCIM filters (RFC 7644 §3.4.2.2) are built as syntax trees and printed by scim2-parse-filter,
 * which writes every value as a JSON string: a value from data can never close the quote and add
 * a clause. The integrator's `targetSearchFilter` is parsed first, so a malformed one is refused
 * here rather than silently ignored by a server that answers a bad filter with no results.
 */
export type { Filter };

export function parseSearchFilter(text: string): Filter {
  try {
    return parse(text);
  } catch (error) {
    throw new ConnectorConfigError('searchFilter', `is not a SCIM filter: ${(error as Error).message}`);
  }
}

export const equals = (attrPath: string, value: string | number | boolean): Filter => ({
  op: 'eq',
  attrPath,
  compValue: value,
});

export const atOrAfter = (attrPath: string, value: string): Filter => ({
  op: 'ge',
  attrPath,
  compValue: value,
});

export const anyOf = (filters: Filter[]): Filter =>
  filters.length === 1 ? filters[0]! : { op: 'or', filters };

export function allOf(filters: Array<Filter | undefined>): Filter | undefined {
  const present = filters.filter((f): f is Filter => f !== undefined);
  if (present.length <= 1) return present[0];
  return { op: 'and', filters: present };
}

export function printFilter(filter: Filter): string {
  return stringify(filter);
}
