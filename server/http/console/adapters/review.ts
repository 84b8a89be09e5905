import type { Services } from '../../../services/index.ts';
import type { ApplyPlanOutcome } from '../../../services/review.ts';
import type { UndoPlanOutcome } from '../../../services/undo.ts';
import type { Person } from './auth.ts';

/** Review and apply (docs/api.md "Review and apply") for the console, through the review service. */
export type ApplyOutcome = ApplyPlanOutcome;

/** Statuses whose plan is held for an admin's approval. */

export function reviewAdapter(services: Services) {
  return {
    apply: (runId: string, planHash: string, person: Person): Promise<ApplyOutcome> =>
      services.review.apply({ runId, planHash, approver: { name: person.name, role: person.role } }),
    undo: (runId: string, person: Person): Promise<UndoPlanOutcome> =>
      services.undo.plan({ runId, approver: { name: person.name, role: person.role } }),
    undoNotes: (planRunId: string) => services.undo.notes(planRunId),
  };
}
