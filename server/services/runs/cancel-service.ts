import type { RunStatus } from '../../core/model.ts';
import type { Database } from '../../db/client.ts';
import { requestCancel } from '../../store/run-store.ts';

export type CancelRunOutcome =
  /** A queued run: nothing of it had started, it is `cancelled` now. */
  | { outcome: 'cancelled'; runId: string; cancelledBy: string; cancelRequestedAt: Date }
  /** A running run: it stops at its next batch boundary, on whichever server executes it. */
  | { outcome: 'cancel_requested'; runId: string; cancelledBy: string; cancelRequestedAt: Date }
  | { outcome: 'run_not_found' }
  | { outcome: 'already_ended'; status: RunStatus };

/** Cancelling a run (docs/api.md `POST /api/runs/:id/cancel`, `trueup cancel`, the run page's button). */
export function createCancelService({ db }: { db: Database }) {
  return {
    /** `by` is who asks: the token's name, or `cli`. */
    async cancel(runId: string, by: string): Promise<CancelRunOutcome> {
      const result = await requestCancel(db, runId, by);
      if (!result.found) return { outcome: 'run_not_found' };
      if ('ended' in result) return { outcome: 'already_ended', status: result.ended };
      const { status, cancelRequestedAt, cancelledBy } = result;
      const request = { runId, cancelledBy: cancelledBy ?? by, cancelRequestedAt };
      return status === 'cancelled'
        ? { outcome: 'cancelled', ...request }
        : { outcome: 'cancel_requested', ...request };
    },
  };
}

export type CancelService = ReturnType<typeof createCancelService>;
