import { unhandled } from '../../../services/outcomes.ts';
import type { StartRunOutcome } from '../../../services/runs/types.ts';

/** Why a run did not start, in words for the page. */
export function startRunProblem(started: Exclude<StartRunOutcome, { outcome: 'started' }>): string {
  switch (started.outcome) {
    case 'already_running':
      return `A run of this config is already queued or running (${started.runId}).`;
    case 'config_inactive':
      return 'This config is inactive: set its status to active to run it.';
    case 'config_not_found':
      return 'This reconciliation config no longer exists.';
    default:
      return unhandled(started);
  }
}
