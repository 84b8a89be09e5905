import { access, constants, stat } from 'node:fs/promises';
import {
  type Connector,
  ConnectorConfigError,
  type Page,
  type ReadProblem,
  type SearchRequest,
} from '../../core/connector-port.ts';
import type { Account, Attributes } from '../../core/model.ts';
import { queryOf } from '../query-of.ts';
import type { CsvConnection } from './csv-settings.ts';
import { readCsv } from './read-csv.ts';
import { rewriteCsv } from './rewrite-csv.ts';

const defaultPageSize = 500;

/**
 * A CSV / delimited file as a managed system. Reads stream (a 1 GB file is never held whole);
 * writes rewrite the file atomically once per batch. An empty cell reads as null: CSV cannot tell
 * an empty string from a missing value.
 */
export function createCsvConnector(connection: CsvConnection, uniqueFieldKey: string): Connector {
  return {
    test: () => testCsv(connection, uniqueFieldKey),
    schema: async () => (await readHeader(connection)).map((name) => ({ name, type: 'string' })),
    search: (request) => searchCsv(connection, uniqueFieldKey, request),
    lookup: async (keys, { attributes }) => {
      // One streaming pass keeping the rows whose key cell is one of the keys.
      const accounts: Account[] = [];
      const request = { query: { type: 'csv' as const, where: { [uniqueFieldKey]: keys } }, attributes };
      for await (const page of searchCsv(connection, uniqueFieldKey, request))
        accounts.push(...page.accounts);
      return accounts;
    },
    write: (ops) => rewriteCsv(connection, uniqueFieldKey, ops),
    close: async () => {},
  };
}

async function testCsv(connection: CsvConnection, keyColumn: string) {
  try {
    const info = await stat(connection.path);
    if (!info.isFile()) return { ok: false, message: `${connection.path} is not a file` };
    await access(connection.path, constants.R_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable' : code;
    return { ok: false, message: `${connection.path} ${reason}` };
  }
  let columns: string[];
  try {
    columns = await readHeader(connection);
  } catch (error) {
    return { ok: false, message: `${connection.path} cannot be read as CSV: ${(error as Error).message}` };
  }
  if (!columns.includes(keyColumn)) {
    return {
      ok: false,
      message: `${connection.path} has no column "${keyColumn}" (the unique field key); it has: ${columns.join(', ')}`,
    };
  }
  return {
    ok: true,
    message: `${connection.path} is readable with ${columns.length} columns`,
    details: { columns },
  };
}

/** The column names, from the connection (no header) or the first line, without reading further. */
async function readHeader(connection: CsvConnection): Promise<string[]> {
  let columns: string[] | undefined;
  for await (const _ of readCsv(connection, (names) => (columns = names))) break;
  if (!columns) throw new Error('the file is empty: it has no header row');
  return columns;
}

async function* searchCsv(
  connection: CsvConnection,
  keyColumn: string,
  request: SearchRequest,
): AsyncGenerator<Page> {
  const query = queryOf('csv', request, '`where`');
  const pageSize = request.pageSize ?? defaultPageSize;
  const where = Object.entries(query?.where ?? {}).map(
    ([column, wanted]) => [column, new Set(Array.isArray(wanted) ? wanted : [wanted])] as const,
  );
  const since = request.watermark ?? null;
  const watermarkColumn = connection.watermarkColumn;
  if (since && !watermarkColumn) {
    throw new ConnectorConfigError('watermarkColumn', 'an incremental search needs a watermark column');
  }
  let watermark = since;
  let selected: string[] = [];
  let accounts: Account[] = [];
  let problems: ReadProblem[] = [];

  const onHeader = (columns: string[]) => {
    const missing = [keyColumn, ...where.map(([column]) => column), ...(request.attributes ?? [])]
      .concat(watermarkColumn ? [watermarkColumn] : [])
      .filter((column) => !columns.includes(column));
    if (missing.length > 0) {
      throw new ConnectorConfigError(
        'attributes',
        `the file has no column ${missing.map((m) => `"${m}"`).join(', ')}`,
      );
    }
    selected = request.attributes ? [...new Set([keyColumn, ...request.attributes])] : columns;
  };

  for await (const item of readCsv(connection, onHeader)) {
    if (item.kind === 'problem') {
      problems.push({ line: item.line, message: `line ${item.line} ${item.message}` });
      continue;
    }
    const record = item.record;
    const key = record[keyColumn] ?? '';
    if (key === '') {
      problems.push({
        line: item.line,
        message: `line ${item.line} has an empty "${keyColumn}" (the unique field key)`,
      });
      continue;
    }
    if (!where.every(([column, wanted]) => wanted.has(record[column] ?? ''))) continue;
    if (watermarkColumn) {
      // Rows without a change marker are always returned: nothing says they are unchanged.
      const changed = record[watermarkColumn] ?? '';
      if (since && changed !== '' && changed < since) continue;
      if (changed !== '' && (watermark === null || changed > watermark)) watermark = changed;
    }
    const attributes: Attributes = {};
    for (const column of selected) {
      const value = record[column] ?? '';
      attributes[column] = value === '' ? null : value;
    }
    accounts.push({ key, attributes });
    if (accounts.length >= pageSize) {
      yield { accounts, problems, watermark };
      accounts = [];
      problems = [];
    }
  }
  // The last page may be empty: it still carries the final watermark.
  yield { accounts, problems, watermark };
}
