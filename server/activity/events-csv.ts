import { stringify } from 'csv-stringify/sync';
import type { Database } from '../db/client.ts';
import { listEvents, type RunEventSummary } from './events-query.ts';

export const eventCsvColumns = [
  'seq',
  'objectKey',
  'idmObjectId',
  'situation',
  'response',
  'outcome',
  'diff',
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
  const values: Array<string | number | null> = [
    event.seq,
    event.objectKey,
    event.idmObjectId,
    event.situation,
    event.response,
    event.outcome,
    event.diff ? JSON.stringify(event.diff) : null,
    event.error ? event.error.message : null,
  ];
  return values.map((v) => (v === null ? '' : safeCell(String(v))));
}

/**
 * All of a run's events as CSV, header first, read in pages by sequence number so a run with
 * millions of events is never held in memory.
 */
export async function* eventsCsv(db: Database, runId: string, pageSize = 2000): AsyncGenerator<string> {
  yield stringify([eventCsvColumns as unknown as string[]]);
  let afterSeq: number | undefined;
  for (;;) {
    const page = await listEvents(db, runId, { afterSeq, limit: pageSize });
    if (page.items.length > 0) yield stringify(page.items.map(cells));
    if (page.nextSeq === null) return;
    afterSeq = page.nextSeq;
  }
}
