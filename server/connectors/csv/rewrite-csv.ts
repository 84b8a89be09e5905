import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify/sync';
import iconv from 'iconv-lite';
import type { WriteOp, WriteResult } from '../../core/connector-port.ts';
import { listAsText, listSeparator } from '../../core/list-text.ts';
import type { AttributeValue } from '../../core/model.ts';
import { MalformedCsv, sniffCsvFormat, UnreadableCsvFile } from './csv-file.ts';
import { LineSplitter } from './csv-lines.ts';
import { RecordSplitter } from './csv-records.ts';
import type { CsvConnection } from './csv-settings.ts';
import { headerOf, headerProblem, recordsOf } from './read-csv.ts';

type Row = Record<string, string>;

/**
 * Applies one batch of writes by ONE atomic rewrite: the old file streams into a temporary file in
 * the same directory (same file system, so the rename is atomic), which is fsynced and renamed over
 * the original. A reader sees the old file or the new one, never half of each; a crash leaves the
 * old file and a stray temporary file. Encoding, BOM, delimiter, quote, header and line ending are
 * kept, and every record no op touches is copied as written. A file with a malformed line is not
 * rewritten: the reader skips that line, so what the IDM was planned from is not what is there.
 */
export async function rewriteCsv(connection: CsvConnection, keyColumn: string, ops: WriteOp[]) {
  return serialise(connection.path, () => rewrite(connection, keyColumn, ops));
}

const queues = new Map<string, Promise<unknown>>();

/** Two batches on one file in this process must not interleave their read-modify-rename. */
async function serialise<T>(path: string, task: () => Promise<T>): Promise<T> {
  const previous = queues.get(path) ?? Promise.resolve();
  const next = previous.then(task, task);
  queues.set(path, next);
  try {
    return await next;
  } finally {
    if (queues.get(path) === next) queues.delete(path);
  }
}

async function rewrite(connection: CsvConnection, keyColumn: string, ops: WriteOp[]): Promise<WriteResult[]> {
  const results: Array<WriteResult | undefined> = ops.map(() => undefined);
  const fail = (message: string) => ops.map((): WriteResult => ({ ok: false, message }));
  let format: Awaited<ReturnType<typeof sniffCsvFormat>>;
  try {
    format = await sniffCsvFormat(connection);
  } catch (error) {
    return fail((error as Error).message);
  }
  const cellsOf = cellWriter(connection);
  const pending = new Map<string, number[]>();
  let columns: string[] | undefined;
  const useColumns = (names: string[]) => {
    columns = names;
    queueOps(ops, columns, keyColumn, connection, results, pending);
  };
  if (!connection.header) useColumns(connection.columns ?? []);

  /**
   * The new file, chunk by chunk, split into records by the reader's own rule (`recordsOf`). A
   * record no op touches is copied as it was written, so only the changed rows are written anew;
   * each keeps the line ending it had. Any line the reader would report stops the rewrite.
   */
  async function* newFile(): AsyncGenerator<string> {
    let endsRecord = true;
    for await (const items of recordsOf(connection)) {
      let text = '';
      for (const item of items) {
        // An empty line is no record (the reader skips it too): kept as it was.
        if (item.kind === 'blank') {
          text += item.end;
          continue;
        }
        if (item.kind === 'problem') {
          if (!columns) throw headerProblem(item, connection.path);
          throw new MalformedCsv(`line ${item.line} is malformed (${item.message}); fix it before writing`);
        }
        endsRecord = item.end !== '';
        if (!columns) {
          useColumns(headerOf(item, connection.path));
          text += item.text + item.end;
          continue;
        }
        const key = item.fields[columns.indexOf(keyColumn)] ?? '';
        const indexes = pending.get(key);
        if (!indexes) {
          text += item.text + item.end;
          continue;
        }
        pending.delete(key);
        const names = columns;
        const start = Object.fromEntries(names.map((column, i) => [column, item.fields[i] ?? '']));
        const row = applyOps(start, indexes, ops, names, keyColumn, connection, results);
        if (row) text += cellsOf(names.map((column) => row[column] ?? '')) + item.end;
      }
      yield text;
    }
    if (!columns) throw new MalformedCsv(`the file ${connection.path} is empty: it has no header row`);
    let appended = endsRecord ? '' : format.recordDelimiter;
    for (const [, indexes] of pending) {
      const row = applyOps(undefined, indexes, ops, columns, keyColumn, connection, results);
      if (row) appended += cellsOf(columns.map((column) => row[column] ?? '')) + format.recordDelimiter;
    }
    yield appended;
  }

  const temp = join(
    dirname(connection.path),
    `.${basename(connection.path)}.${randomBytes(6).toString('hex')}.tmp`,
  );
  const file = await open(temp, 'wx');
  try {
    const output = createWriteStream('', { fd: file.fd, autoClose: false });
    await pipeline(newFile(), iconv.encodeStream(connection.encoding, { addBOM: format.bom }), output);
    await file.sync();
    await file.close();
    await rename(temp, connection.path);
    await syncDirectory(dirname(connection.path));
  } catch (error) {
    await file.close().catch(() => {});
    await rm(temp, { force: true });
    if (error instanceof MalformedCsv || error instanceof UnreadableCsvFile) return fail(error.message);
    return fail(`rewriting ${connection.path} failed: ${(error as Error).message}`);
  }
  return results.map((result) => result ?? { ok: true });
}

/** Validates every op against the header and groups the valid ones by key, in batch order. */
function queueOps(
  ops: WriteOp[],
  columns: string[],
  keyColumn: string,
  connection: CsvConnection,
  results: Array<WriteResult | undefined>,
  pending: Map<string, number[]>,
) {
  if (!columns.includes(keyColumn)) {
    ops.forEach((_, i) => {
      results[i] = { ok: false, message: `the file has no column "${keyColumn}" (the unique field key)` };
    });
    return;
  }
  ops.forEach((op, i) => {
    const problem = checkOp(op, columns, connection);
    if (problem) {
      results[i] = { ok: false, message: problem };
      return;
    }
    pending.set(op.key, [...(pending.get(op.key) ?? []), i]);
  });
}

function checkOp(op: WriteOp, columns: string[], connection: CsvConnection): string | undefined {
  if (op.key === '') return 'the key is empty';
  if (op.op === 'disable' && !connection.disabledColumn)
    return 'disable needs disabledColumn in the connection';
  if (op.op === 'disable' && !columns.includes(connection.disabledColumn as string)) {
    return `the file has no column "${connection.disabledColumn}" (disabledColumn)`;
  }
  const values = op.op === 'create' ? op.attributes : op.op === 'update' ? op.patch : {};
  for (const [name, value] of Object.entries(values)) {
    if (!columns.includes(name)) return `the file has no column "${name}"`;
    if (Array.isArray(value)) {
      const list = listAsText(name, value);
      if ('problem' in list) return list.problem;
    }
    if (connection.quote === '' && /[\r\n]/.test(String(value ?? ''))) {
      return `column "${name}" has a line break, which an unquoted file cannot hold`;
    }
    if (connection.quote === '' && String(value ?? '').includes(connection.delimiter)) {
      return `column "${name}" contains the delimiter, which an unquoted file cannot hold`;
    }
    if (/[\r\n]/.test(String(value ?? '')) && !readsBack(name, String(value), columns, connection)) {
      return `column "${name}" holds a line that would read back as a record of its own`;
    }
  }
  return undefined;
}

/** Whether a row holding this multi-line value reads back, by the reader's rule, as one record. */
function readsBack(name: string, value: string, columns: string[], connection: CsvConnection): boolean {
  const row = cellWriter(connection)(columns.map((column) => (column === name ? value : '')));
  const records = new RecordSplitter(
    connection,
    Number.MAX_SAFE_INTEGER,
    connection.encoding,
    columns.length,
  );
  const items = records.push(
    new LineSplitter(Number.MAX_SAFE_INTEGER, connection.encoding).push(`${row}\n`),
    true,
  );
  return items.length === 1 && items[0]?.kind === 'record';
}

/** Runs one key's ops in order over its current row (undefined = absent); returns what to write. */
function applyOps(
  start: Row | undefined,
  indexes: number[],
  ops: WriteOp[],
  columns: string[],
  keyColumn: string,
  connection: CsvConnection,
  results: Array<WriteResult | undefined>,
): Row | undefined {
  let row = start;
  for (const i of indexes) {
    const op = ops[i]!;
    if (op.op === 'create') {
      row = { ...(row ?? Object.fromEntries(columns.map((c) => [c, '']))), ...cells(op.attributes) };
      row[keyColumn] = op.key;
    } else if (op.op === 'delete') {
      row = undefined;
    } else if (!row) {
      results[i] = { ok: false, message: `no account with key "${op.key}"` };
    } else if (op.op === 'update') {
      row = { ...row, ...cells(op.patch), [keyColumn]: op.key };
    } else {
      row = { ...row, [connection.disabledColumn!]: connection.disabledValue ?? '' };
    }
  }
  return row;
}

/** A cell's text: empty for null, a list as `;`-separated text (checked by `checkOp`). */
function cells(values: Record<string, AttributeValue>): Row {
  const cell = (value: AttributeValue) =>
    value === null ? '' : Array.isArray(value) ? value.join(listSeparator) : String(value);
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, cell(value)]));
}

/** One row as the file's dialect writes it, without the record delimiter (the caller adds it). */
function cellWriter(connection: CsvConnection): (cells: string[]) => string {
  const options = {
    delimiter: connection.delimiter,
    quote: connection.quote === '' ? false : connection.quote,
    eof: false,
  } as const;
  return (cells) => stringify([cells], options);
}

/** Makes the rename itself durable (the directory entry), where the platform allows it. */
async function syncDirectory(path: string) {
  const directory = await open(path, 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}
