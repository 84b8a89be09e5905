import {
  ConnectorConfigError,
  type Page,
  type ReadProblem,
  type SearchRequest,
} from '../../core/connector-port.ts';
import type { Account, Attributes } from '../../core/model.ts';
import { queryOf } from '../query-of.ts';
import type { CsvConnection } from './csv-settings.ts';
import { readCsv } from './read-csv.ts';

const defaultPageSize = 500;

/**
 * Streams the accounts the request's query keeps (its `where`, ANDed with `keys` for a lookup), in
 * pages with the problems met on the way. Reads only the policy map's columns plus the key and
 * `disabledColumn` (whether an account is disabled is read even when the map leaves it out).
 */
export async function* searchCsv(
  connection: CsvConnection,
  keyColumn: string,
  request: SearchRequest,
  keys?: ReadonlySet<string>,
): AsyncGenerator<Page> {
  const query = queryOf('csv', request, '`where`');
  const pageSize = request.pageSize ?? defaultPageSize;
  const since = request.watermark ?? null;
  const watermarkColumn = connection.watermarkColumn;
  if (since && !watermarkColumn) {
    throw new ConnectorConfigError('watermarkColumn', 'an incremental search needs a watermark column');
  }
  const wanted = Object.entries(query?.where ?? {}).map(
    ([column, values]) => [column, new Set(Array.isArray(values) ? values : [values])] as const,
  );
  let watermark = since;
  let keyAt = 0;
  let watermarkAt = -1;
  let filters: Array<readonly [number, Set<string>]> = [];
  let selected: Array<readonly [string, number]> = [];
  let accounts: Account[] = [];
  let problems: ReadProblem[] = [];

  const onHeader = (columns: string[]) => {
    const needed: Array<[string | undefined, string]> = [
      [keyColumn, 'uniqueFieldKey'],
      ...wanted.map(([column]): [string, string] => [column, 'query']),
      ...(request.attributes ?? []).map((column): [string, string] => [column, 'attributes']),
      [watermarkColumn, 'watermarkColumn'],
      [connection.disabledColumn, 'disabledColumn'],
    ];
    const missing = needed.filter(([column]) => column !== undefined && !columns.includes(column));
    if (missing.length > 0) {
      throw new ConnectorConfigError(
        missing[0]?.[1] ?? 'attributes',
        `the file has no column ${[...new Set(missing.map(([m]) => `"${m}"`))].join(', ')}`,
      );
    }
    const names = request.attributes
      ? [keyColumn, ...request.attributes, ...(connection.disabledColumn ? [connection.disabledColumn] : [])]
      : columns;
    selected = [...new Set(names)].map((name) => [name, columns.indexOf(name)] as const);
    filters = wanted.map(([column, values]) => [columns.indexOf(column), values] as const);
    keyAt = columns.indexOf(keyColumn);
    watermarkAt = watermarkColumn ? columns.indexOf(watermarkColumn) : -1;
  };

  for await (const batch of readCsv(connection, onHeader)) {
    for (const item of batch) {
      if (item.kind === 'problem') {
        problems.push({ line: item.line, message: `line ${item.line} ${item.message}` });
        continue;
      }
      const fields = item.fields;
      const key = fields[keyAt] ?? '';
      if (key === '') {
        problems.push({
          line: item.line,
          message: `line ${item.line} has an empty "${keyColumn}" (the unique field key)`,
        });
        continue;
      }
      if (keys && !keys.has(key)) continue;
      if (!filters.every(([at, values]) => values.has(fields[at] ?? ''))) continue;
      if (watermarkAt >= 0) {
        // Rows without a change marker are always returned: nothing says they are unchanged.
        const changed = fields[watermarkAt] ?? '';
        if (since && changed !== '' && changed < since) continue;
        if (changed !== '' && (watermark === null || changed > watermark)) watermark = changed;
      }
      const attributes: Attributes = {};
      for (const [name, at] of selected) {
        const value = fields[at] ?? '';
        attributes[name] = value === '' ? null : value;
      }
      accounts.push({ key, attributes });
      if (accounts.length >= pageSize) {
        yield { accounts, problems, watermark };
        accounts = [];
        problems = [];
      }
    }
  }
  // The last page may be empty: it still carries the final watermark.
  yield { accounts, problems, watermark };
}
