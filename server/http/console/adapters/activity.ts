import type { Explanation } from '../../../core/explain.ts';
import type { Services } from '../../../services/index.ts';
import type { NotFound } from '../../../services/outcomes.ts';
import type { RunDiffOutcome } from '../../../services/runs/run-diff.ts';
import type { StartRunOutcome } from '../../../services/runs/types.ts';
import type { EventFilter, RunEventDetail, RunEventSummary } from '../../../store/events-query.ts';
import type { RunFilter, RunSummary } from '../../../store/runs-query.ts';
import type { Person } from './auth.ts';

/** The activity history and starting runs, for the console. */
export type { Explanation, RunEventDetail, RunEventSummary, RunSummary };

/** A mail the run sent (completion report, do-nothing report), when this server records them. */
export type RunNotification = {
  kind: string;
  to: string | string[];
  status: string;
  attempts: number;
  error?: string;
};

/** What a download link gets: a stream of text, or why there is none. */
export type Download =
  | {
      outcome: 'file';
      filename: string;
      contentType: string;
      body: AsyncIterable<string> | string;
      /** Shown in the browser (an HTML report) rather than saved. */
      inline?: boolean;
    }
  | NotFound
  | { outcome: 'unavailable'; message: string };

export type LiveProgress = {
  status: string;
  phase: string | null;
  done: number;
  total: number | null;
  finished: boolean;
};

export function activityAdapter(services: Services) {
  const { activity } = services;
  const getRun = async (id: string): Promise<RunSummary | null> => {
    const found = await activity.getRun(id);
    return found.outcome === 'found' ? found.run : null;
  };
  return {
    listRuns: (filter: RunFilter) => activity.listRuns(filter),
    getRun,
    async listEvents(runId: string, filter: EventFilter) {
      const listed = await activity.listEvents(runId, filter);
      return listed.outcome === 'listed' ? listed : { items: [], nextSeq: null };
    },
    async getEvent(runId: string, eventId: string): Promise<RunEventDetail | null> {
      const found = await activity.getEvent(runId, eventId);
      return found.outcome === 'found' ? found.event : null;
    },
    /** Why an event came out as it did (the event page's "Why?" panel). */
    async explainEvent(runId: string, eventId: string): Promise<Explanation | null> {
      const found = await activity.explainEvent(runId, eventId);
      return found.outcome === 'found' ? found.explanation : null;
    },
    /**
     * What changed from `against` (default: the config's run before it) to the run: the same diff
     * as GET /api/runs/:id/diff; null when there is no run to compare with.
     */
    async diff(runId: string, against?: string): Promise<RunDiffOutcome | null> {
      const other = against ?? (await services.replays.previousRun(runId));
      return other ? services.replays.diff({ runId, against: other, limit: 500 }) : null;
    },
    /** The mails a run sent (completion report, do-nothing report). */
    notifications: (runId: string): Promise<RunNotification[]> => services.mail.notificationsOf(runId),

    start(configId: string, dryRun: boolean, person: Person): Promise<StartRunOutcome> {
      return services.runs.start({
        configId,
        dryRun,
        mode: 'full',
        trigger: 'manual',
        startedBy: person.name,
      });
    },

    /** Cancels a queued run at once, or asks a running one to stop at its next batch boundary. */
    cancel: (runId: string, person: Person) => services.cancel.cancel(runId, person.name),

    async progress(runId: string): Promise<LiveProgress | null> {
      const run = await getRun(runId);
      if (!run) return null;
      const live = services.runs.progress(runId);
      const finished = run.status !== 'queued' && run.status !== 'running';
      const counted = Object.values(run.counts.situations).reduce((a, b) => a + b, 0);
      return {
        status: run.status,
        phase: live?.phase ?? run.phase,
        done: live?.done ?? counted,
        total: live?.total ?? null,
        finished,
      };
    },

    async eventsCsv(runId: string): Promise<Download> {
      const found = await activity.eventsCsv(runId);
      if (found.outcome === 'run_not_found') return { outcome: 'not_found' };
      return {
        outcome: 'file',
        filename: `run-${runId}-events.csv`,
        contentType: 'text/csv; charset=utf-8',
        body: found.chunks,
      };
    },

    async report(runId: string, format: 'html' | 'csv' | undefined): Promise<Download> {
      const found = await services.reports.report(runId, format);
      if (found.outcome === 'run_not_found') return { outcome: 'not_found' };
      const { report } = found;
      return {
        outcome: 'file',
        filename: report.filename,
        contentType: report.contentType,
        body: report.chunks(),
        inline: report.contentType.startsWith('text/html'),
      };
    },

    async doNothingCsv(runId: string): Promise<Download> {
      const found = await services.reports.doNothing(runId);
      if (found.outcome === 'run_not_found') return { outcome: 'not_found' };
      return {
        outcome: 'file',
        filename: found.report.filename,
        contentType: found.report.contentType,
        body: found.report.chunks(),
      };
    },
  };
}
