import type { DeletionThreshold } from './recon-config.ts';

/** Result of the deletion gate over the whole plan (docs/conventions.md item 2: a value, not an exception). */
export type ThresholdCheck =
  | { outcome: 'passed'; deletions: number; total: number }
  | {
      outcome: 'threshold_exceeded';
      limit: { kind: 'count' | 'percent'; value: number };
      deletions: number;
      total: number;
    };

/**
 * Deletions planned against the config's limits. Exactly at a limit passes; one over stops the
 * run. The percentage is of every object the run considered (`total`).
 */
export function checkDeletionThreshold(
  deletions: number,
  total: number,
  threshold: DeletionThreshold,
): ThresholdCheck {
  if (threshold.count !== undefined && deletions > threshold.count) {
    return {
      outcome: 'threshold_exceeded',
      limit: { kind: 'count', value: threshold.count },
      deletions,
      total,
    };
  }
  // Compared in whole numbers (deletions·100 against percent·total) so 10 of 100 at 10% is not lost to rounding.
  if (threshold.percent !== undefined && total > 0 && deletions * 100 > threshold.percent * total) {
    return {
      outcome: 'threshold_exceeded',
      limit: { kind: 'percent', value: threshold.percent },
      deletions,
      total,
    };
  }
  return { outcome: 'passed', deletions, total };
}

const dayMs = 86_400_000;

/** What to do now about a deletion whose object went missing from the system. */
export type StaleDecision =
  | { decision: 'delete' }
  | { decision: 'mark_stale'; staleSince: string; deleteAfter: string }
  | { decision: 'wait'; staleSince: string; deleteAfter: string };

/**
 * Stale days: the first run that misses an object only marks its link stale; the deletion goes
 * ahead once `staleDays` whole days have passed since (exactly N days is enough).
 */
export function decideStale(staleSince: string | null, staleDays: number, now: Date): StaleDecision {
  if (staleDays <= 0) return { decision: 'delete' };
  if (!staleSince) {
    return {
      decision: 'mark_stale',
      staleSince: now.toISOString(),
      deleteAfter: new Date(now.getTime() + staleDays * dayMs).toISOString(),
    };
  }
  const deleteAfter = new Date(Date.parse(staleSince) + staleDays * dayMs);
  if (now.getTime() >= deleteAfter.getTime()) return { decision: 'delete' };
  return { decision: 'wait', staleSince, deleteAfter: deleteAfter.toISOString() };
}
