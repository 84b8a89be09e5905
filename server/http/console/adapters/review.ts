import type { Services } from '../../../main.ts';
import type { Person } from './auth.ts';
import type { NotFound } from './outcome.ts';

/** Review and apply (API.md "Review and apply") for the console. */
export type ApplyOutcome =
  | { outcome: 'started'; runId: string }
  | {
      outcome: 'plan_changed' | 'not_a_plan' | 'already_applied' | 'config_changed' | 'forbidden';
      message: string;
    }
  | NotFound
  | { outcome: 'unavailable'; message: string };

/** Statuses whose plan is held for an admin's approval. */
export const heldStatuses: ReadonlySet<string> = new Set(['stopped_by_threshold', 'stopped_by_guard']);

export function reviewAdapter(_services: Services) {
  return {
    async apply(_runId: string, _planHash: string, _person: Person): Promise<ApplyOutcome> {
      return { outcome: 'unavailable', message: 'applying plans is not available on this server yet' };
    },
  };
}
