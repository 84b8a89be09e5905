import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { type CsvError, parse } from 'csv-parse';
import iconv from 'iconv-lite';
import type { CsvConnection } from './csv-settings.ts';

/** One item of a streamed file: a row with its line number, or a line that could not be read. */
export type CsvItem =
  | { kind: 'row'; line: number; record: Record<string, string> }
  | { kind: 'problem'; line: number; message: string };

/** What a rewrite must keep: the byte-order mark and the line ending the file already uses. */
export type CsvFileFormat = { bom: boolean; recordDelimiter: '\n' | '\r\n' };

const boms = { utf8: [0xef, 0xbb, 0xbf], utf16le: [0xff, 0xfe], latin1: [] as number[] } as const;

/** Reads only the first 64 KiB: enough to see the BOM and the first line ending. */
export async function sniffCsvFormat(connection: CsvConnection): Promise<CsvFileFormat> {
  const handle = await open(connection.path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(65_536), 0, 65_536, 0);
    const head = buffer.subarray(0, bytesRead);
    const mark = boms[connection.encoding];
    const bom = mark.length > 0 && mark.every((byte, i) => head[i] === byte);
    const text = iconv.decode(head, connection.encoding);
    const firstNewline = text.indexOf('\n');
    const recordDelimiter = firstNewline > 0 && text[firstNewline - 1] === '\r' ? '\r\n' : '\n';
    return { bom, recordDelimiter };
  } finally {
    await handle.close();
  }
}

/**
 * Streams the file row by row: bytes → iconv-lite (strips a BOM) → csv-parse. Memory stays flat
 * whatever the file size. A malformed row becomes a `problem` item naming its line, and reading
 * goes on. `onHeader` receives the column names before the first row.
 */
export async function* readCsv(
  connection: CsvConnection,
  onHeader: (columns: string[]) => void,
): AsyncGenerator<CsvItem> {
  const problems: CsvItem[] = [];
  let columnCount = 0;
  const header = (columns: string[]) => {
    columnCount = columns.length;
    onHeader(columns);
  };
  const parser = parse({
    delimiter: connection.delimiter,
    quote: connection.quote === '' ? false : connection.quote,
    columns: connection.header
      ? (names: string[]) => checkHeader(names, header)
      : checkHeader(connection.columns ?? [], header),
    info: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (error: CsvError | undefined) => {
      if (error)
        problems.push({
          kind: 'problem',
          line: lineOf(error),
          message: describeCsvError(error, columnCount),
        });
    },
  });
  const source = createReadStream(connection.path);
  source.on('error', (error) => parser.destroy(error));
  source.pipe(iconv.decodeStream(connection.encoding)).pipe(parser);
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: Record<string, string>;
      info: { lines: number };
    }>) {
      if (problems.length > 0) yield* problems.splice(0);
      yield { kind: 'row', line: info.lines, record };
    }
    if (problems.length > 0) yield* problems.splice(0);
  } finally {
    source.destroy();
  }
}

/** Rejects a header with an empty or repeated column name; hands the names on. */
export function checkHeader(columns: string[], onHeader: (columns: string[]) => void): string[] {
  const seen = new Set<string>();
  for (const [index, column] of columns.entries()) {
    if (column.trim() === '') throw new Error(`the header has an empty column name (column ${index + 1})`);
    if (seen.has(column)) throw new Error(`the header names column "${column}" twice`);
    seen.add(column);
  }
  onHeader(columns);
  return columns;
}

export function lineOf(error: CsvError): number {
  return Number((error as CsvError & { lines?: number }).lines ?? 0);
}

/** csv-parse's own messages are precise; only the unhelpful codes are reworded. */
export function describeCsvError(error: CsvError, columnCount: number): string {
  if (
    error.code === 'CSV_RECORD_INCONSISTENT_COLUMNS' ||
    error.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH'
  ) {
    const record = (error as CsvError & { record?: unknown[] }).record;
    const found = Array.isArray(record) ? `${record.length} fields` : 'a different number of fields';
    return `has ${found}; the file has ${columnCount} columns`;
  }
  return error.message.replace(/\s+at line \d+/, '');
}
