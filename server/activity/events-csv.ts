import type { Database } from '../db/client.ts';
import { eventsCsvReport } from '../reports/csv-report.ts';

/** All of a run's events as CSV, in the same readable columns as the run's CSV report. */
export function eventsCsv(db: Database, runId: string, pageSize = 2000): AsyncGenerator<string> {
  return eventsCsvReport(db, runId, { pageSize });
}
