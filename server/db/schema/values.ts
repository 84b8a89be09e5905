/**
 * Value lists of enum columns that the CLI needs for its help and usage checks; kept free of
 * drizzle so `trueup --help` does not load the ORM.
 */
export const eventOutcomes = ['planned', 'applied', 'skipped', 'failed', 'recorded'] as const;
export type EventOutcome = (typeof eventOutcomes)[number];

export const tokenRoles = ['admin', 'operator', 'viewer'] as const;
export type TokenRole = (typeof tokenRoles)[number];

/** API.md "Run status": how a run stands or ended. */
export const runStatuses = [
  'queued',
  'running',
  'succeeded',
  'failed',
  'stopped_by_threshold',
  'stopped_by_guard',
  'aborted_by_preprocessor',
  'cancelled',
  'skipped',
] as const;
export type RunStatus = (typeof runStatuses)[number];

export { type RunMode, runModes } from '../../core/model.ts';

/** API.md "Run trigger": who or what started the run. */
export const runTriggers = ['manual', 'api', 'cli', 'schedule', 'apply', 'live'] as const;
export type RunTrigger = (typeof runTriggers)[number];
