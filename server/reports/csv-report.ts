import { stringify } from 'csv-stringify/sync';
import type { Database } from '../db/client.ts';
import { listEvents, type RunEventSummary } from '../store/events-query.ts';
import { diffLines, errorText } from './event-cells.ts';

export const eventCsvColumns = [
  'object key',
  'IDM id',
  'situation',
  'response',
  'outcome',
  'changed attributes',
  'error',
] as const;

/**
 * A cell a spreadsheet would read as a formula (OWASP "CSV injection") gets a leading quote, so
 * an account named `=HYPERLINK(…)` stays text when an auditor opens the file.
 */
export function safeCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

function cells(event: RunEventSummary): string[] {
  return [
    event.objectKey ?? '',
    event.idmObjectId ?? '',
    event.situation ?? '',
    event.response ?? '',
    event.outcome,
    diffLines(event.diff).join('; '),
    errorText(event.error),
  ].map(safeCell);
}

const csvLines = (rows: string[][]) => stringify(rows, { record_delimiter: 'windows' });

/**
 * A run's events as RFC 4180 CSV (CRLF, quoted where needed), UTF-8 with a BOM so spreadsheets
 * read the accents. Read in pages by sequence number: a run of millions of events is never held
 * in memory. `response` narrows it (the DO_NOTHING report).
 */
export async function* eventsCsvReport(
  db: Database,
  runId: string,
  options: { response?: string; pageSize?: number } = {},
): AsyncGenerator<string> {
  yield `\uFEFF${csvLines([[...eventCsvColumns]])}`;
  let afterSeq: number | undefined;
  for (;;) {
    const page = await listEvents(db, runId, {
      afterSeq,
      limit: options.pageSize ?? 2000,
      ...(options.response ? { response: options.response } : {}),
    });
    if (page.items.length > 0) yield csvLines(page.items.map(cells));
    if (page.nextSeq === null) return;
    afterSeq = page.nextSeq;
  }
}
