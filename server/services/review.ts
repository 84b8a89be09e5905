import type { TokenRole } from '../core/model.ts';
import { heldStatuses, type RunStatus } from '../core/model.ts';
import type { Database } from '../db/client.ts';
import { activeRunOf, appliedBy, configChangedSince, runRow } from '../store/runs.ts';
import type { RunProgress, RunService } from './runs/types.ts';

/** Who approves: a token's name and role (the CLI in-process acts as an admin named `cli`). */
export type Approver = { name: string; role: TokenRole };

/** docs/api.md "Review and apply": how a request to apply a plan ends; surfaces map each to a status. */
export type ApplyPlanOutcome =
  | { outcome: 'started'; runId: string; planHash: string }
  | { outcome: 'run_not_found' }
  | { outcome: 'forbidden'; reason: string }
  | { outcome: 'not_a_plan'; status: RunStatus; dryRun: boolean }
  | { outcome: 'plan_hash_mismatch'; planHash: string }
  | { outcome: 'already_applied'; runId: string }
  | { outcome: 'config_changed'; configId: string }
  | { outcome: 'config_not_found' }
  | { outcome: 'already_running'; runId: string };

/** Statuses whose plan a gate held: applying one is the approval of its deletions (admin only). */

/** A reviewed dry run, or a plan a gate held; null when the run holds no plan to apply. */
export function planKind(run: { status: RunStatus; dryRun: boolean; planHash: string | null }) {
  if (!run.planHash) return null;
  if (heldStatuses.has(run.status)) return 'held' as const;
  if (run.dryRun && run.status === 'succeeded') return 'reviewed' as const;
  return null;
}

/**
 * Applies exactly the plan of a dry run or a held run (docs/api.md "Review and apply"): checks the run
 * holds a plan, the hash the person reviewed, that it was not applied before and that its config
 * and system did not change since; then starts the `apply` run, recording who approved it.
 */
export async function applyReviewedPlan(
  db: Database,
  runService: RunService,
  input: { runId: string; planHash?: string | undefined; approver: Approver },
  onProgress?: (progress: RunProgress) => void,
): Promise<ApplyPlanOutcome> {
  const { approver } = input;
  if (approver.role === 'viewer') return { outcome: 'forbidden', reason: 'a viewer may not apply plans' };
  const plan = await runRow(db, input.runId);
  if (!plan) return { outcome: 'run_not_found' };
  const kind = planKind(plan);
  if (!kind || !plan.planHash) return { outcome: 'not_a_plan', status: plan.status, dryRun: plan.dryRun };
  if (kind === 'held' && approver.role !== 'admin') {
    return {
      outcome: 'forbidden',
      reason: `the run was ${plan.status}: applying its held plan approves what the gate stopped, which needs an admin`,
    };
  }
  if (input.planHash !== undefined && input.planHash !== plan.planHash) {
    return { outcome: 'plan_hash_mismatch', planHash: plan.planHash };
  }
  const applied = await appliedBy(db, plan.id);
  if (applied) return { outcome: 'already_applied', runId: applied };
  if (!plan.configId) return { outcome: 'config_not_found' };
  const changed = await configChangedSince(db, plan.id);
  if (changed === null) return { outcome: 'config_not_found' };
  if (changed) return { outcome: 'config_changed', configId: plan.configId };
  const started = await runService.startApply(
    {
      planRunId: plan.id,
      configId: plan.configId,
      mode: plan.mode,
      keys: plan.keys ?? null,
      approvedBy: approver.name,
      startedBy: approver.name,
    },
    onProgress,
  );
  if (started.outcome === 'started') return { ...started, planHash: plan.planHash };
  // Lost a race: another request applied it first, or a run of the config is going.
  const winner = await appliedBy(db, plan.id);
  if (winner) return { outcome: 'already_applied', runId: winner };
  return { outcome: 'already_running', runId: (await activeRunOf(db, plan.configId)) ?? '' };
}

export type ReviewService = {
  /** Applies a reviewed or held plan; see `applyReviewedPlan`. */
  apply(
    input: { runId: string; planHash?: string | undefined; approver: Approver },
    onProgress?: (progress: RunProgress) => void,
  ): Promise<ApplyPlanOutcome>;
};

export function createReviewService(deps: { db: Database; runs: RunService }): ReviewService {
  return { apply: (input, onProgress) => applyReviewedPlan(deps.db, deps.runs, input, onProgress) };
}
