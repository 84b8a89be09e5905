import type { WriteOp, WriteResult } from '../../core/connector-port.ts';
import type { AttributePatch } from '../../core/model.ts';
import type { SqlTable } from './sql-connector.ts';
import type { SqlParam } from './sql-driver.ts';
import { describeSqlError } from './sql-errors.ts';
import { toParam } from './sql-values.ts';

/**
 * Writes through the table mapping, one parametrised statement (or two) per op, in batch order.
 * Idempotent: create updates the row when the key exists (update, then insert when nothing matched,
 * which needs no unique constraint), delete of a missing key succeeds.
 */
export async function writeSqlOps(table: SqlTable, ops: WriteOp[]): Promise<WriteResult[]> {
  let columns: Map<string, string>;
  try {
    columns = await table.types();
  } catch (error) {
    const message = (error as Error).message.startsWith('table "')
      ? (error as Error).message
      : describeSqlError(error, table.connection);
    return ops.map(() => ({ ok: false, message }));
  }
  const results: WriteResult[] = [];
  for (const op of ops) {
    try {
      results.push(await writeOne(table, columns, op));
    } catch (error) {
      const message = error instanceof OpError ? error.message : describeSqlError(error, table.connection);
      results.push({ ok: false, message });
    }
  }
  return results;
}

class OpError extends Error {}

async function writeOne(table: SqlTable, columns: Map<string, string>, op: WriteOp): Promise<WriteResult> {
  const { driver, keyColumn, name } = table;
  const key = driver.quote(keyColumn);
  switch (op.op) {
    case 'delete':
      await driver.execute(`delete from ${name} where ${key} = ${driver.placeholder(1)}`, [op.key]);
      return { ok: true };
    case 'update':
      return (await update(table, columns, op.key, op.patch)) > 0
        ? { ok: true }
        : { ok: false, message: `no row with key "${op.key}"` };
    case 'disable': {
      const { disabledColumn, disabledValue } = table.connection;
      if (!disabledColumn) throw new OpError('disable needs disabledColumn in the connection');
      const matched = await driver.execute(
        `update ${name} set ${driver.quote(disabledColumn)} = ${driver.placeholder(1)} where ${key} = ${driver.placeholder(2)}`,
        [disabledValue ?? null, op.key],
      );
      return matched > 0 ? { ok: true } : { ok: false, message: `no row with key "${op.key}"` };
    }
    case 'create': {
      if ((await update(table, columns, op.key, op.attributes)) > 0) return { ok: true };
      const values = assignments(table, columns, op.attributes).filter(([column]) => column !== keyColumn);
      const names = [keyColumn, ...values.map(([column]) => column)];
      const params: SqlParam[] = [op.key, ...values.map(([, value]) => value)];
      await driver.execute(
        `insert into ${name} (${names.map((n) => driver.quote(n)).join(', ')}) values (${params.map((_, i) => driver.placeholder(i + 1)).join(', ')})`,
        params,
      );
      return { ok: true };
    }
  }
}

/** Updates the row's columns from the patch (the key alone when it is empty); answers rows matched. */
async function update(
  table: SqlTable,
  columns: Map<string, string>,
  keyValue: string,
  patch: AttributePatch,
) {
  const { driver, keyColumn } = table;
  const values = assignments(table, columns, patch).filter(([column]) => column !== keyColumn);
  const sets = values.length > 0 ? values.map(([column]) => column) : [keyColumn];
  const params: SqlParam[] = values.length > 0 ? values.map(([, value]) => value) : [keyValue];
  params.push(keyValue);
  const setList = sets
    .map((column, i) => `${driver.quote(column)} = ${driver.placeholder(i + 1)}`)
    .join(', ');
  return driver.execute(
    `update ${table.name} set ${setList} where ${driver.quote(keyColumn)} = ${driver.placeholder(params.length)}`,
    params,
  );
}

function assignments(
  table: SqlTable,
  columns: Map<string, string>,
  patch: AttributePatch,
): Array<[string, SqlParam]> {
  return Object.entries(patch).map(([attribute, value]) => {
    const column = table.column(attribute);
    const type = columns.get(column);
    if (type === undefined) throw new OpError(`table "${table.connection.table}" has no column "${column}"`);
    try {
      return [column, toParam(column, value, type, table.connection.dialect)];
    } catch (error) {
      throw new OpError((error as Error).message);
    }
  });
}
