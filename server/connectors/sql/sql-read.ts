import {
  ConnectorConfigError,
  type LookupRequest,
  type Page,
  type ReadProblem,
  type SearchRequest,
} from '../../core/connector-port.ts';
import type { Account, Attributes } from '../../core/model.ts';
import { lookingUp, readFailure, readingPage } from '../failure-messages.ts';
import { queryOf } from '../query-of.ts';
import { keysPerStatement, placeholders, type SqlParam } from './sql-driver.ts';
import { describeSqlError } from './sql-errors.ts';
import type { SqlTable } from './sql-table.ts';
import { laterMarker, type Marker, toAttribute, toMarker, watermarkParam } from './sql-values.ts';

const defaultPageSize = 1000;
const policyFields = '`text`, `params`';

/** A read's statement: the policy query, the import query, or the table's columns. */
async function baseStatement(
  table: SqlTable,
  request: SearchRequest,
): Promise<{ text: string; params: SqlParam[] }> {
  const query = queryOf('sql', request, policyFields);
  if (query) return { text: query.text, params: [...query.params] };
  if (table.connection.importQuery) return { text: table.connection.importQuery, params: [] };
  return { text: await defaultQuery(table, request.attributes ?? null), params: [] };
}

export async function* searchSql(table: SqlTable, request: SearchRequest): AsyncGenerator<Page> {
  const { connection, driver } = table;
  const watermarkColumn = connection.watermarkColumn;
  if (request.watermark && !watermarkColumn) {
    throw new ConnectorConfigError('watermarkColumn', 'an incremental search needs a watermark column');
  }
  let { text, params } = await baseStatement(table, request).catch((error) => {
    throw readFailure(error, (e) => describeSqlError(e, connection, readingPage(1, 0, 'rows')));
  });
  if (request.watermark && watermarkColumn) {
    params = [...params, watermarkParam(request.watermark, connection.dialect)];
    // `>=`, not `>`: a row changed in the same instant as the last one read is read again
    // rather than missed (timestamps can be coarser than the changes they mark).
    text = `select * from (${text}) q where q.${driver.quote(watermarkColumn)} >= ${driver.placeholder(params.length)}`;
  }
  yield* readRows(table, text, params, request, (page, read) => readingPage(page, read, 'rows'));
}

/**
 * The rows with these keys, under the search's own statement (the policy query, else the import
 * query, else the table): `where key in (…)` wraps it, keys as parameters after the query's. A
 * row the run's query leaves out is absent here too.
 */
export async function lookupSql(table: SqlTable, keys: string[], request: LookupRequest): Promise<Account[]> {
  const { connection, driver } = table;
  const during = lookingUp(keys.length);
  const base = await baseStatement(table, request).catch((error) => {
    throw readFailure(error, (e) => describeSqlError(e, connection, during));
  });
  const accounts: Account[] = [];
  for (let i = 0; i < keys.length; i += keysPerStatement) {
    const batch = keys.slice(i, i + keysPerStatement);
    const from = base.params.length + 1;
    const text = `select * from (${base.text}) q where q.${driver.quote(table.keyColumn)} in (${placeholders(driver, batch.length, from)})`;
    for await (const page of readRows(table, text, [...base.params, ...batch], request, () => during)) {
      accounts.push(...page.accounts);
    }
  }
  return accounts;
}

/** Streams a statement's rows as pages of accounts; a failure says where the read was. */
async function* readRows(
  table: SqlTable,
  text: string,
  params: SqlParam[],
  request: Pick<SearchRequest, 'attributes' | 'pageSize' | 'watermark'>,
  where: (page: number, read: number) => string,
): AsyncGenerator<Page> {
  const { connection, driver } = table;
  const { watermarkColumn, disabledColumn } = connection;
  let marker: Marker | null = request.watermark ?? null;
  const wanted = request.attributes
    ? [...new Set([table.attribute(table.keyColumn), ...request.attributes])]
    : null;
  let page = 1;
  let read = 0;
  try {
    for await (const batch of driver.stream(text, params, request.pageSize ?? defaultPageSize)) {
      const accounts: Account[] = [];
      const problems: ReadProblem[] = [];
      for (const row of batch) {
        if (watermarkColumn) marker = laterMarker(marker, toMarker(row[watermarkColumn]));
        const key = row[table.keyColumn];
        if (key === null || key === undefined || key === '') {
          problems.push({ message: `a row has no value in the key column "${table.keyColumn}"` });
          continue;
        }
        const account = { key: String(toAttribute(key)), attributes: attributesOf(table, row, wanted) };
        if (disabledColumn) table.disabled.note(account.key, table.isDisabledValue(row[disabledColumn]));
        accounts.push(account);
      }
      read += batch.length;
      page++;
      yield { accounts, problems, watermark: marker === null ? null : String(marker) };
    }
  } catch (error) {
    throw readFailure(error, (e) => describeSqlError(e, connection, where(page, read)));
  }
  if (page === 1) yield { accounts: [], problems: [], watermark: marker === null ? null : String(marker) };
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

/**
 * `select <key, attributes, watermark, disabled> from <table>`, every name checked against the
 * real table; the disabled column is read for isDisabled whatever the policy map says.
 */
async function defaultQuery(table: SqlTable, attributes: string[] | null): Promise<string> {
  const columns = await table.columns();
  const { watermarkColumn, disabledColumn } = table.connection;
  const wanted = attributes
    ? [
        table.keyColumn,
        ...attributes.map(table.column),
        ...(watermarkColumn ? [watermarkColumn] : []),
        ...(disabledColumn && columns.includes(disabledColumn) ? [disabledColumn] : []),
      ]
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
