import type { Database } from '../db/client.ts';
import {
  doNothingCsv,
  type RenderedReport,
  type ReportFormat,
  renderRunReport,
} from '../reports/render-report.ts';
import { getRun } from '../store/runs-query.ts';

export type ReportOutcome = { outcome: 'found'; report: RenderedReport } | { outcome: 'run_not_found' };

/** "Give me a run's report": the API, the CLI and the completion mail read the same one. */
export function createReportService({ db, baseUrl }: { db: Database; baseUrl: string }) {
  return {
    /** The run's report in `format`, or the config's `reportFormat`. */
    async report(runId: string, format?: ReportFormat): Promise<ReportOutcome> {
      const report = await renderRunReport(db, runId, baseUrl, format);
      return report ? { outcome: 'found', report } : { outcome: 'run_not_found' };
    },
    /** The DO_NOTHING objects of a run as CSV. */
    async doNothing(runId: string): Promise<ReportOutcome> {
      if (!(await getRun(db, runId))) return { outcome: 'run_not_found' };
      return { outcome: 'found', report: doNothingCsv(db, runId) };
    },
  };
}

export type ReportService = ReturnType<typeof createReportService>;
