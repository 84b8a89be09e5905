import type { RunMode } from './model.ts';

/** docs/api.md "Runs": config field `sourceGuard`; null turns it off. */
export type SourceGuard = { minAccounts?: number; maxDropPercent?: number };

export const defaultSourceGuard: SourceGuard = { minAccounts: 1 };

/** A problem of the read, as the guard reports it (the first ones; `problemCount` says how many). */
export type ReadProblemSummary = { key: string | null; message: string };

export type GuardCheck =
  | { outcome: 'passed' }
  | {
      outcome: 'guard_stopped';
      reason: 'min_accounts' | 'max_drop_percent';
      rule: 'minAccounts' | 'maxDropPercent';
      limit: number;
      accounts: number;
      previousAccounts: number | null;
    }
  | {
      outcome: 'guard_stopped';
      reason: 'read_problems';
      accounts: number;
      problemCount: number;
      problems: ReadProblemSummary[];
    };

/** How many problems a guard stop lists; the run's events hold every one. */
const listedProblems = 20;

/** Situations that have an account: their counts add up to the accounts a run read. */
const accountSituations = [
  'IDM_EXISTS__RESOURCE_EXISTS',
  'IDM_NOT_EXISTS__RESOURCE_EXISTS',
  'IDM_DELETED__RESOURCE_EXISTS',
  'DISPUTED',
];

/** The accounts a finished run read, from its counts per situation. */
export function accountsInCounts(situations: Record<string, number>): number {
  return accountSituations.reduce((n, s) => n + (situations[s] ?? 0), 0);
}

/**
 * Guards a run before anything is written. A read with problems (a malformed record, a failed
 * page, duplicate or missing keys) stops any run, whatever the guard's settings: the source may
 * still hold what the read missed (DESIGN "Desired state"). A full run whose source answered with
 * too few accounts (an empty export, a wrong search base) stops too; incremental and keys runs
 * read few accounts by design and are not held to that. A drop of exactly `maxDropPercent` passes.
 */
export function checkSourceGuard(
  guard: SourceGuard | null,
  mode: RunMode,
  accounts: number,
  previousAccounts: number | null,
  problems: ReadProblemSummary[] = [],
): GuardCheck {
  if (problems.length > 0) {
    return {
      outcome: 'guard_stopped',
      reason: 'read_problems',
      accounts,
      problemCount: problems.length,
      problems: problems.slice(0, listedProblems),
    };
  }
  if (!guard || mode !== 'full') return { outcome: 'passed' };
  if (guard.minAccounts !== undefined && accounts < guard.minAccounts) {
    return {
      outcome: 'guard_stopped',
      reason: 'min_accounts',
      rule: 'minAccounts',
      limit: guard.minAccounts,
      accounts,
      previousAccounts,
    };
  }
  const max = guard.maxDropPercent;
  if (max !== undefined && previousAccounts !== null && previousAccounts > 0) {
    // In whole numbers: (previous − now)·100 against max·previous, so 50 of 100 at 50% passes.
    if ((previousAccounts - accounts) * 100 > max * previousAccounts) {
      return {
        outcome: 'guard_stopped',
        reason: 'max_drop_percent',
        rule: 'maxDropPercent',
        limit: max,
        accounts,
        previousAccounts,
      };
    }
  }
  return { outcome: 'passed' };
}

export function guardMessage(check: Extract<GuardCheck, { outcome: 'guard_stopped' }>): string {
  if (check.reason === 'read_problems') {
    const first = check.problems[0]?.message ?? '';
    const more = check.problemCount > 1 ? ` (and ${check.problemCount - 1} more)` : '';
    return `the source was read with ${check.problemCount} problem(s): ${first}${more}; nothing was written and nothing is concluded from what the read missed: fix the source and run again, or have an admin apply the held plan`;
  }
  if (check.reason === 'min_accounts') {
    return `the source returned ${check.accounts} account(s), fewer than the source guard's minimum of ${check.limit}; nothing was written`;
  }
  const drop = Math.round(
    (100 * ((check.previousAccounts ?? 0) - check.accounts)) / (check.previousAccounts ?? 1),
  );
  return `the source returned ${check.accounts} account(s), ${drop}% fewer than the ${check.previousAccounts} of the last successful full run (the source guard allows ${check.limit}%); nothing was written`;
}
