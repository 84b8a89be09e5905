import {
  type ConnectionTest,
  type Connector,
  ConnectorConfigError,
  type Page,
  type ReadProblem,
  type SearchRequest,
} from '../../core/connector-port.ts';
import type { Account, Attributes } from '../../core/model.ts';
import { queryOf } from '../query-of.ts';
import { createMysqlDriver } from './mysql-driver.ts';
import { createPostgresDriver } from './postgres-driver.ts';
import { keysPerStatement, placeholders, type SqlDriver, type SqlParam } from './sql-driver.ts';
import { describeSqlError } from './sql-errors.ts';
import type { SqlConnection } from './sql-settings.ts';
import { laterMarker, type Marker, toAttribute, toMarker, watermarkParam } from './sql-values.ts';
import { writeSqlOps } from './sql-write.ts';

const defaultPageSize = 1000;

export type SqlTable = {
  driver: SqlDriver;
  connection: SqlConnection;
  /** `"schema"."table"`, quoted for the dialect. */
  name: string;
  keyColumn: string;
  column(attribute: string): string;
  attribute(column: string): string;
  /** The table's real columns, read once; a missing table is an error naming it. */
  columns(): Promise<string[]>;
  /** Column name → the database's type name (`timestamp with time zone`, `datetime`, …). */
  types(): Promise<Map<string, string>>;
};

/**
 * A PostgreSQL or MySQL/MariaDB table (or import query) as a managed system. Values always travel
 * as parameters; identifiers are checked against the table's real columns before being quoted.
 */
export function createSqlConnector(connection: SqlConnection, uniqueFieldKey: string): Connector {
  const driver =
    connection.dialect === 'postgres' ? createPostgresDriver(connection) : createMysqlDriver(connection);
  const [schemaName, tableName] = connection.table.includes('.')
    ? (connection.table.split('.') as [string, string])
    : [undefined, connection.table];
  const reverse = new Map(
    Object.entries(connection.columnMap).map(([attribute, column]) => [column, attribute]),
  );
  let known: Promise<Array<{ name: string; type: string }>> | undefined;
  const describe = () => {
    known ??= driver.columns(schemaName, tableName).then((columns) => {
      if (columns.length === 0) {
        known = undefined;
        throw new Error(`table "${connection.table}" does not exist in database "${connection.database}"`);
      }
      return columns;
    });
    return known;
  };
  const column = (attribute: string) => connection.columnMap[attribute] ?? attribute;
  const table: SqlTable = {
    driver,
    connection,
    name: [schemaName, tableName]
      .filter(Boolean)
      .map((part) => driver.quote(part!))
      .join('.'),
    keyColumn: connection.keyColumn ?? column(uniqueFieldKey),
    column,
    attribute: (name) => reverse.get(name) ?? name,
    columns: async () => (await describe()).map((c) => c.name),
    types: async () => new Map((await describe()).map((c) => [c.name, c.type])),
  };
  return {
    test: () => testSql(table, describe),
    schema: async () => (await describe()).map((c) => ({ name: table.attribute(c.name), type: c.type })),
    search: (request) => searchSql(table, request),
    lookup: (keys, request) => lookupSql(table, keys, request.attributes ?? null),
    write: (ops) => writeSqlOps(table, ops),
    close: () => driver.close(),
  };
}

async function testSql(table: SqlTable, describe: () => Promise<unknown>): Promise<ConnectionTest> {
  const { connection, driver } = table;
  try {
    await describe();
  } catch (error) {
    const message = (error as Error).message.startsWith('table "')
      ? (error as Error).message
      : describeSqlError(error, connection);
    return { ok: false, message };
  }
  const columns = await table.columns();
  const needed = [table.keyColumn, connection.watermarkColumn, connection.disabledColumn].filter(
    (name): name is string => name !== undefined,
  );
  const missing = needed.filter((name) => !columns.includes(name));
  if (missing.length > 0) {
    return {
      ok: false,
      message: `table "${connection.table}" has no column ${missing.map((m) => `"${m}"`).join(', ')}`,
    };
  }
  if (connection.importQuery) {
    try {
      for await (const _ of driver.stream(`select * from (${connection.importQuery}) q where 1 = 0`, [], 1))
        break;
    } catch (error) {
      return { ok: false, message: `the import query failed: ${describeSqlError(error, connection)}` };
    }
  }
  return {
    ok: true,
    message: `connected to ${connection.dialect} database "${connection.database}"; table "${connection.table}" has ${columns.length} columns`,
    details: { columns },
  };
}

async function* searchSql(table: SqlTable, request: SearchRequest): AsyncGenerator<Page> {
  const { connection, driver } = table;
  const query = queryOf('sql', request, '`text`, `params`');
  const watermarkColumn = connection.watermarkColumn;
  if (request.watermark && !watermarkColumn) {
    throw new ConnectorConfigError('watermarkColumn', 'an incremental search needs a watermark column');
  }
  let text: string;
  const params: SqlParam[] = query ? [...query.params] : [];
  if (query) text = query.text;
  else if (connection.importQuery) text = connection.importQuery;
  else text = await defaultQuery(table, request.attributes ?? null);
  if (request.watermark && watermarkColumn) {
    params.push(watermarkParam(request.watermark, connection.dialect));
    // `>=`, not `>`: a row changed in the same instant as the last one read is read again
    // rather than missed (timestamps can be coarser than the changes they mark).
    text = `select * from (${text}) q where q.${driver.quote(watermarkColumn)} >= ${driver.placeholder(params.length)}`;
  }
  let marker: Marker | null = request.watermark ?? null;
  const wanted = request.attributes
    ? [...new Set([table.attribute(table.keyColumn), ...request.attributes])]
    : null;
  let rows: AsyncIterable<Array<Record<string, unknown>>>;
  try {
    rows = driver.stream(text, params, request.pageSize ?? defaultPageSize);
  } catch (error) {
    throw new Error(describeSqlError(error, connection));
  }
  let yielded = false;
  try {
    for await (const batch of rows) {
      const accounts: Account[] = [];
      const problems: ReadProblem[] = [];
      for (const row of batch) {
        if (watermarkColumn) marker = laterMarker(marker, toMarker(row[watermarkColumn]));
        const key = row[table.keyColumn];
        if (key === null || key === undefined || key === '') {
          problems.push({ message: `a row has no value in the key column "${table.keyColumn}"` });
          continue;
        }
        accounts.push({ key: String(toAttribute(key)), attributes: attributesOf(table, row, wanted) });
      }
      yielded = true;
      yield { accounts, problems, watermark: marker === null ? null : String(marker) };
    }
  } catch (error) {
    if (error instanceof ConnectorConfigError) throw error;
    throw new Error(`the import query failed: ${describeSqlError(error, connection)}`);
  }
  if (!yielded) yield { accounts: [], problems: [], watermark: marker === null ? null : String(marker) };
}

/** The rows with these keys: the system's query wrapped in `where key in (…)`, keys as parameters. */
async function lookupSql(table: SqlTable, keys: string[], attributes: string[] | null): Promise<Account[]> {
  const { connection, driver } = table;
  const base = connection.importQuery ?? (await defaultQuery(table, attributes));
  const accounts: Account[] = [];
  for (let i = 0; i < keys.length; i += keysPerStatement) {
    const params = keys.slice(i, i + keysPerStatement);
    const text = `select * from (${base}) q where q.${driver.quote(table.keyColumn)} in (${placeholders(driver, params.length)})`;
    for await (const page of searchSql(table, { query: { type: 'sql', text, params }, attributes })) {
      accounts.push(...page.accounts);
    }
  }
  return accounts;
}

function attributesOf(table: SqlTable, row: Record<string, unknown>, wanted: string[] | null): Attributes {
  const attributes: Attributes = {};
  if (wanted) {
    for (const attribute of wanted) {
      const name = table.column(attribute);
      if (!(name in row))
        throw new ConnectorConfigError('attributes', `the query returns no column "${name}"`);
      attributes[attribute] = toAttribute(row[name]);
    }
    return attributes;
  }
  for (const [name, value] of Object.entries(row)) attributes[table.attribute(name)] = toAttribute(value);
  return attributes;
}

/** `select <key, attributes, watermark> from <table>`, every name checked against the real table. */
async function defaultQuery(table: SqlTable, attributes: string[] | null): Promise<string> {
  const columns = await table.columns();
  const { watermarkColumn } = table.connection;
  const wanted = attributes
    ? [table.keyColumn, ...attributes.map(table.column), ...(watermarkColumn ? [watermarkColumn] : [])]
    : columns;
  const missing = wanted.filter((name) => !columns.includes(name));
  if (missing.length > 0) {
    throw new ConnectorConfigError(
      'attributes',
      `table "${table.connection.table}" has no column ${missing.map((m) => `"${m}"`).join(', ')}`,
    );
  }
  return `select ${[...new Set(wanted)].map((name) => table.driver.quote(name)).join(', ')} from ${table.name}`;
}
