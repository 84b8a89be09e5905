import type { WriteOp, WriteResult } from '../../core/connector-port.ts';
import type { AttributePatch } from '../../core/model.ts';
import { normalizeKey } from '../../core/normalize-key.ts';
import { readFailure } from '../failure-messages.ts';
import { keysPerStatement, placeholders, type SqlParam } from './sql-driver.ts';
import { describeSqlError } from './sql-errors.ts';
import type { SqlTable } from './sql-table.ts';
import { toParam } from './sql-values.ts';

/**
 * Writes through the table mapping. Idempotent: create updates the row when the key exists
 * (which needs no unique constraint), delete of a missing key succeeds. Deletes, and creates of
 * keys the table does not hold, go as multi-row statements; updates and disables one
 * parametrised statement each (each has its own answer: "no row with key"). A batch naming a key
 * twice, or a multi-row statement that fails, is written one op at a time, in batch order.
 */
export async function writeSqlOps(table: SqlTable, ops: WriteOp[]): Promise<WriteResult[]> {
  let columns: Map<string, string>;
  try {
    columns = await table.types();
  } catch (error) {
    const { message } = readFailure(error, (e) => describeSqlError(e, table.connection));
    return ops.map(() => ({ ok: false, message }));
  }
  const results = new Map<number, WriteResult>();
  if (new Set(ops.map((op) => op.key)).size === ops.length) {
    await deleteInBulk(table, ops, results);
    await insertInBulk(table, columns, ops, results);
  }
  for (const [i, op] of ops.entries()) {
    if (results.has(i)) continue;
    try {
      results.set(i, await writeOne(table, columns, op));
    } catch (error) {
      const message = error instanceof OpError ? error.message : describeSqlError(error, table.connection);
      results.set(i, { ok: false, message });
    }
  }
  return ops.map((_, i) => results.get(i) as WriteResult);
}

/** Deletes, a statement per `keysPerStatement` keys (a failed statement is left to the one-at-a-time path). */
async function deleteInBulk(table: SqlTable, ops: WriteOp[], results: Map<number, WriteResult>) {
  const deletes = [...ops.entries()].filter(([, op]) => op.op === 'delete');
  const key = table.driver.quote(table.keyColumn);
  for (let at = 0; at < deletes.length; at += keysPerStatement) {
    const part = deletes.slice(at, at + keysPerStatement);
    try {
      await table.driver.execute(
        `delete from ${table.name} where ${key} in (${placeholders(table.driver, part.length)})`,
        part.map(([, op]) => op.key),
      );
      for (const [i] of part) results.set(i, { ok: true });
    } catch {
      // Each op of the statement is tried alone, and answers for itself.
    }
  }
}

/** Creates of keys the table does not hold, as multi-row inserts of the same columns. */
async function insertInBulk(
  table: SqlTable,
  columns: Map<string, string>,
  ops: WriteOp[],
  results: Map<number, WriteResult>,
) {
  const { driver, keyColumn, name } = table;
  const creates = [...ops.entries()].filter(
    (entry): entry is [number, Extract<WriteOp, { op: 'create' }>] => entry[1].op === 'create',
  );
  for (let at = 0; at < creates.length; at += keysPerStatement) {
    const part = creates.slice(at, at + keysPerStatement);
    let held: Set<string>;
    try {
      held = await existingKeys(
        table,
        part.map(([, op]) => op.key),
      );
    } catch {
      continue;
    }
    // Rows with the same columns go in one statement; a bad value leaves its op to the slow path.
    const shapes = new Map<string, Array<[number, SqlParam[]]>>();
    for (const [i, op] of part) {
      if (held.has(normalizeKey(op.key))) continue;
      let values: Array<[string, SqlParam]>;
      try {
        values = assignments(table, columns, op.attributes).filter(([column]) => column !== keyColumn);
      } catch {
        continue;
      }
      const shape = JSON.stringify(values.map(([column]) => column));
      const rows = shapes.get(shape) ?? [];
      rows.push([i, [op.key, ...values.map(([, value]) => value)]]);
      shapes.set(shape, rows);
    }
    for (const [shape, rows] of shapes) {
      const names = [keyColumn, ...(JSON.parse(shape) as string[])].map((n) => driver.quote(n));
      const tuples = rows.map((_, r) => `(${placeholders(driver, names.length, r * names.length + 1)})`);
      try {
        await driver.execute(
          `insert into ${name} (${names.join(', ')}) values ${tuples.join(', ')}`,
          rows.flatMap(([, params]) => params),
        );
        for (const [i] of rows) results.set(i, { ok: true });
      } catch {
        // Each op is tried alone, and answers for itself.
      }
    }
  }
}

async function existingKeys(table: SqlTable, keys: string[]): Promise<Set<string>> {
  const key = table.driver.quote(table.keyColumn);
  const held = new Set<string>();
  for await (const rows of table.driver.stream(
    `select ${key} as k from ${table.name} where ${key} in (${placeholders(table.driver, keys.length)})`,
    keys,
    keysPerStatement,
  )) {
    for (const row of rows) held.add(normalizeKey(String(row.k)));
  }
  return held;
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
        `insert into ${name} (${names.map((n) => driver.quote(n)).join(', ')}) values (${placeholders(driver, params.length)})`,
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
