import type { ConnectionTest, Connector, LookupRequest, ReadProblem } from '../../core/connector-port.ts';
import type { Account } from '../../core/model.ts';
import { MalformedCsv } from './csv-file.ts';
import type { CsvConnection } from './csv-settings.ts';
import { readCsv } from './read-csv.ts';
import { rewriteCsv } from './rewrite-csv.ts';
import { searchCsv } from './search-csv.ts';

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
    lookup: (keys, request) => lookupCsv(connection, uniqueFieldKey, keys, request),
    isDisabled: (account) => {
      const column = connection.disabledColumn;
      if (!column || !(column in account.attributes)) return undefined;
      return (account.attributes[column] ?? '') === connection.disabledValue;
    },
    ...(connection.disabledColumn
      ? {
          disableWrite: {
            attribute: connection.disabledColumn,
            disabled: connection.disabledValue ?? null,
            enabled: null,
            alsoWritten: [],
          },
        }
      : {}),
    write: (ops) => rewriteCsv(connection, uniqueFieldKey, ops),
    close: async () => {},
  };
}

/**
 * One streaming pass under the search's query, keeping the rows with these keys. A file with a line
 * that cannot be read is refused: that line may be one of the accounts, so absence means nothing.
 */
async function lookupCsv(
  connection: CsvConnection,
  keyColumn: string,
  keys: string[],
  request: LookupRequest,
): Promise<Account[]> {
  if (keys.length === 0) return [];
  const accounts: Account[] = [];
  const problems: ReadProblem[] = [];
  for await (const page of searchCsv(connection, keyColumn, request, new Set(keys))) {
    accounts.push(...page.accounts);
    problems.push(...page.problems);
  }
  if (problems.length > 0) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    throw new MalformedCsv(
      `the file ${connection.path} has lines that cannot be read, so a lookup cannot tell which accounts are absent: ${problems[0]?.message}${more}`,
    );
  }
  return accounts;
}

async function testCsv(connection: CsvConnection, keyColumn: string): Promise<ConnectionTest> {
  let columns: string[];
  try {
    columns = await readHeader(connection);
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
  const needed: Array<[string | undefined, string]> = [
    [keyColumn, 'the unique field key'],
    [connection.watermarkColumn, 'watermarkColumn'],
    [connection.disabledColumn, 'disabledColumn'],
  ];
  const missing = needed.find(([column]) => column !== undefined && !columns.includes(column));
  if (missing) {
    return {
      ok: false,
      message: `${connection.path} has no column "${missing[0]}" (${missing[1]}); it has: ${columns.join(', ')}`,
    };
  }
  return {
    ok: true,
    message: `${connection.path} is readable with ${columns.length} columns`,
    details: { columns },
  };
}

/** The column names, from the connection (no header) or the header row, without reading further. */
async function readHeader(connection: CsvConnection): Promise<string[]> {
  let columns: string[] = [];
  // The first batch comes once the header is read (or the file ended after it).
  for await (const _ of readCsv(connection, (names) => (columns = names))) break;
  return columns;
}
