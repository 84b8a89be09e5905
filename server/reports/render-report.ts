import type { Database } from '../db/client.ts';
import { eventsCsvReport } from './csv-report.ts';
import { renderHtmlReport } from './html-report.ts';
import { loadRunReport } from './run-report.ts';

export const reportFormats = ['html', 'csv'] as const;
export type ReportFormat = (typeof reportFormats)[number];

/** A report ready to send or save: the CSV streams from the database, the HTML is one page. */
export type RenderedReport = { filename: string; contentType: string; chunks: () => AsyncGenerator<string> };

const safeName = (runId: string) => runId.replace(/[^A-Za-z0-9_-]/g, '_');

/** A run's report in `format` (the config's `reportFormat` when not given); null when there is no such run. */
export async function renderRunReport(
  db: Database,
  runId: string,
  baseUrl: string,
  format?: ReportFormat,
): Promise<RenderedReport | null> {
  const report = await loadRunReport(db, runId, baseUrl);
  if (!report) return null;
  const chosen = format ?? report.config.reportFormat;
  if (chosen === 'csv') {
    return {
      filename: `run-${safeName(runId)}-report.csv`,
      contentType: 'text/csv; charset=utf-8',
      chunks: () => eventsCsvReport(db, runId),
    };
  }
  const html = renderHtmlReport(report);
  return {
    filename: `run-${safeName(runId)}-report.html`,
    contentType: 'text/html; charset=utf-8',
    chunks: async function* () {
      yield html;
    },
  };
}

/** The DO_NOTHING objects of a run as CSV (kept only by configs with `sendDoNothingReport`). */
export function doNothingCsv(db: Database, runId: string): RenderedReport {
  return {
    filename: `run-${safeName(runId)}-do-nothing.csv`,
    contentType: 'text/csv; charset=utf-8',
    chunks: () => eventsCsvReport(db, runId, { response: 'DO_NOTHING' }),
  };
}
