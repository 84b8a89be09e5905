import type { ConnectionTest, Connector } from '../../core/connector-port.ts';
import { createDisabledReading } from '../disabled-reading.ts';
import { ConnectorFailure, readFailure } from '../failure-messages.ts';
import { createMysqlDriver } from './mysql-driver.ts';
import { createPostgresDriver } from './postgres-driver.ts';
import { describeSqlError, sqlServer } from './sql-errors.ts';
import { lookupSql, searchSql } from './sql-read.ts';
import type { SqlConnection } from './sql-settings.ts';
import type { SqlTable } from './sql-table.ts';
import { writeSqlOps } from './sql-write.ts';

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
        throw new ConnectorFailure(
          `table "${connection.table}" does not exist in database "${connection.database}" on ${sqlServer(connection)}: check the system's table name`,
        );
      }
      return columns;
    });
    return known;
  };
  const column = (attribute: string) => connection.columnMap[attribute] ?? attribute;
  const attribute = (name: string) => reverse.get(name) ?? name;
  const isDisabledValue = (value: unknown) =>
    value === null || value === undefined || connection.disabledValue === undefined
      ? undefined
      : sqlValueText(value) === sqlValueText(connection.disabledValue);
  const disabledAttribute = connection.disabledColumn ? attribute(connection.disabledColumn) : undefined;
  const table: SqlTable = {
    driver,
    connection,
    name: [schemaName, tableName]
      .filter(Boolean)
      .map((part) => driver.quote(part!))
      .join('.'),
    keyColumn: connection.keyColumn ?? column(uniqueFieldKey),
    column,
    attribute,
    columns: async () => (await describe()).map((c) => c.name),
    types: async () => new Map((await describe()).map((c) => [c.name, c.type])),
    isDisabledValue,
    disabled: createDisabledReading((attributes) =>
      disabledAttribute && disabledAttribute in attributes
        ? isDisabledValue(attributes[disabledAttribute])
        : undefined,
    ),
  };
  return {
    test: () => testSql(table, describe),
    schema: async () => (await describe()).map((c) => ({ name: table.attribute(c.name), type: c.type })),
    search: (request) => searchSql(table, request),
    lookup: (keys, request) => lookupSql(table, keys, request),
    ...(disabledAttribute
      ? {
          isDisabled: (account) => table.disabled.isDisabled(account),
          disableWrite: {
            attribute: disabledAttribute,
            disabled: connection.disabledValue ?? null,
            enabled: null,
            alsoWritten: [],
          },
        }
      : {}),
    write: (ops) => writeSqlOps(table, ops),
    close: () => driver.close(),
  };
}

async function testSql(table: SqlTable, describe: () => Promise<unknown>): Promise<ConnectionTest> {
  const { connection, driver } = table;
  try {
    await describe();
  } catch (error) {
    return { ok: false, message: readFailure(error, (e) => describeSqlError(e, connection)).message };
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
      return { ok: false, message: describeSqlError(error, connection, 'while checking the import query') };
    }
  }
  return {
    ok: true,
    message: `connected to ${connection.dialect} database "${connection.database}"; table "${connection.table}" has ${columns.length} columns`,
    details: { columns },
  };
}

/** A column value as compared with `disabledValue`: booleans, 1/0 and t/f alike (MySQL has no boolean type). */
function sqlValueText(value: unknown): string {
  if (typeof value === 'boolean') return value ? '1' : '0';
  const text = String(value).trim().toLowerCase();
  if (text === 'true' || text === 't') return '1';
  if (text === 'false' || text === 'f') return '0';
  return text;
}
