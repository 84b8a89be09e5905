import { decodedChunks, MalformedCsv } from './csv-file.ts';
import { LineSplitter } from './csv-lines.ts';
import { type RecordItem, RecordSplitter } from './csv-records.ts';
import type { CsvConnection } from './csv-settings.ts';

/** One item of a streamed file: a row's cells with its line number, or a line that is no row. */
export type CsvItem =
  | { kind: 'row'; line: number; fields: string[] }
  | { kind: 'problem'; line: number; message: string };

/**
 * The file's records and problems in order, header included, a batch per chunk read: bytes →
 * iconv-lite → lines → records (`RecordSplitter`, whose rule the rewrite shares).
 */
export function recordsOf(connection: CsvConnection): AsyncGenerator<RecordItem[]> {
  return splitRecords(decodedChunks(connection), connection);
}

/** Decoded text, in chunks cut anywhere, into records: a batch per chunk. */
export async function* splitRecords(
  chunks: AsyncIterable<string> | Iterable<string>,
  connection: Pick<
    CsvConnection,
    'delimiter' | 'quote' | 'header' | 'columns' | 'encoding' | 'maxRecordBytes'
  >,
): AsyncGenerator<RecordItem[]> {
  const lines = new LineSplitter(connection.maxRecordBytes, connection.encoding);
  const dialect = { delimiter: connection.delimiter, quote: connection.quote };
  const columnCount = connection.header ? null : (connection.columns?.length ?? null);
  const records = new RecordSplitter(dialect, connection.maxRecordBytes, connection.encoding, columnCount);
  for await (const chunk of chunks) {
    const items = records.push(lines.push(chunk), false);
    if (items.length > 0) yield items;
  }
  const items = records.push(lines.end(), true);
  if (items.length > 0) yield items;
}

/**
 * Streams the file's rows, a batch per chunk read; memory stays flat whatever the file size. A
 * line that is no row becomes a `problem` naming it, and reading goes on. `onHeader` receives the
 * column names before the first row. A file that cannot be opened, is empty, or whose header
 * cannot be read throws one sentence naming the file.
 */
export async function* readCsv(
  connection: CsvConnection,
  onHeader: (columns: string[]) => void,
): AsyncGenerator<CsvItem[]> {
  // Without a header the connection names the columns (checked once, by csvConnectionSchema).
  let columns = connection.header ? undefined : connection.columns;
  if (columns) onHeader(columns);
  for await (const items of recordsOf(connection)) {
    const batch: CsvItem[] = [];
    for (const item of items) {
      if (item.kind === 'blank') continue;
      if (item.kind === 'problem') {
        if (!columns) throw headerProblem(item, connection.path);
        batch.push(item);
      } else if (!columns) {
        columns = headerOf(item, connection.path);
        onHeader(columns);
      } else batch.push({ kind: 'row', line: item.line, fields: item.fields });
    }
    if (batch.length > 0) yield batch;
  }
  if (!columns) throw new MalformedCsv(`the file ${connection.path} is empty: it has no header row`);
}

/** The column names of the header record, which must name each column once. */
export function headerOf(item: Extract<RecordItem, { kind: 'record' }>, path: string): string[] {
  const problem = columnsProblem(item.fields);
  if (problem) throw headerProblem({ line: item.line, message: problem }, path);
  return item.fields;
}

/** The file cannot be read at all when its header cannot: one sentence naming the file. */
export function headerProblem(problem: { line: number; message: string }, path: string): MalformedCsv {
  return new MalformedCsv(`line ${problem.line} of ${path} (the header) ${problem.message}`);
}

function columnsProblem(columns: string[]): string | undefined {
  const seen = new Set<string>();
  for (const [index, column] of columns.entries()) {
    if (column.trim() === '') return `has an empty column name (column ${index + 1})`;
    if (seen.has(column))
      return `names column "${column}" twice (columns ${columns.indexOf(column) + 1} and ${index + 1})`;
    seen.add(column);
  }
  return undefined;
}
