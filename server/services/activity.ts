import { type Explanation, explainEvent } from '../core/explain.ts';
import type { Database } from '../db/client.ts';
import { eventsCsvReport } from '../reports/csv-report.ts';
import { type EventFilter, getEvent, listEvents, type RunEventDetail } from '../store/events-query.ts';
import { explainInput } from '../store/explain-query.ts';
import { getRun, listRuns, type RunFilter, type RunSummary } from '../store/runs-query.ts';

type RunNotFound = { outcome: 'run_not_found' };

/**
 * The activity history: runs (newest first), a run's events, one object's detail. The engine
 * writes these rows; every surface reads them here.
 */
export function createActivityService({ db }: { db: Database }) {
  return {
    listRuns: (filter: RunFilter) => listRuns(db, filter),

    async getRun(runId: string): Promise<{ outcome: 'found'; run: RunSummary } | RunNotFound> {
      const run = await getRun(db, runId);
      return run ? { outcome: 'found', run } : { outcome: 'run_not_found' };
    },

    async listEvents(runId: string, filter: EventFilter) {
      if (!(await getRun(db, runId))) return { outcome: 'run_not_found' } as const;
      return { outcome: 'listed', ...(await listEvents(db, runId, filter)) } as const;
    },

    /** All of a run's events as CSV chunks, read in pages (never the whole run in memory). */
    async eventsCsv(runId: string) {
      if (!(await getRun(db, runId))) return { outcome: 'run_not_found' } as const;
      return { outcome: 'found', chunks: eventsCsvReport(db, runId, { pageSize: 2000 }) } as const;
    },

    /** `eventId` as the API shows it (a decimal string); anything else is simply not found. */
    async getEvent(
      runId: string,
      eventId: string,
    ): Promise<{ outcome: 'found'; event: RunEventDetail } | { outcome: 'event_not_found' }> {
      const event = /^\d{1,15}$/.test(eventId) ? await getEvent(db, runId, Number(eventId)) : null;
      return event ? { outcome: 'found', event } : { outcome: 'event_not_found' };
    },

    /** Why the event came out as it did, from what its run stored (core/explain.ts). */
    async explainEvent(
      runId: string,
      eventId: string,
    ): Promise<{ outcome: 'found'; explanation: Explanation } | { outcome: 'event_not_found' }> {
      const input = /^\d{1,15}$/.test(eventId) ? await explainInput(db, runId, Number(eventId)) : null;
      return input ? { outcome: 'found', explanation: explainEvent(input) } : { outcome: 'event_not_found' };
    },
  };
}

export type ActivityService = ReturnType<typeof createActivityService>;
