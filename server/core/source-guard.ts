import type { RunMode } from './model.ts';

/** API.md "Source guard": config field `sourceGuard`; null turns it off. */
export type SourceGuard = { minAccounts?: number; maxDropPercent?: number };

export const defaultSourceGuard: SourceGuard = { minAccounts: 1 };

export type GuardCheck =
  | { outcome: 'passed' }
  | {
      outcome: 'guard_stopped';
      rule: 'minAccounts' | 'maxDropPercent';
      limit: number;
      accounts: number;
      previousAccounts: number | null;
    };

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
 * Guards a full run against a source that answered with too few accounts (an empty export, a
 * wrong search base) before anything is written. Incremental and keys runs read few accounts by
 * design and are not guarded. A drop of exactly `maxDropPercent` passes.
 */
export function checkSourceGuard(
  guard: SourceGuard | null,
  mode: RunMode,
  accounts: number,
  previousAccounts: number | null,
): GuardCheck {
  if (!guard || mode !== 'full') return { outcome: 'passed' };
  if (guard.minAccounts !== undefined && accounts < guard.minAccounts) {
    return {
      outcome: 'guard_stopped',
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
      return { outcome: 'guard_stopped', rule: 'maxDropPercent', limit: max, accounts, previousAccounts };
    }
  }
  return { outcome: 'passed' };
}

export function guardMessage(check: Extract<GuardCheck, { outcome: 'guard_stopped' }>): string {
  if (check.rule === 'minAccounts') {
    return `the source returned ${check.accounts} account(s), fewer than the source guard's minimum of ${check.limit}; nothing was written`;
  }
  const drop = Math.round(
    (100 * ((check.previousAccounts ?? 0) - check.accounts)) / (check.previousAccounts ?? 1),
  );
  return `the source returned ${check.accounts} account(s), ${drop}% fewer than the ${check.previousAccounts} of the last successful full run (the source guard allows ${check.limit}%); nothing was written`;
}
