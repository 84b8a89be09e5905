/**
 * Value lists of enum columns that the CLI needs for its help and usage checks; kept free of
 * drizzle so `trueup --help` does not load the ORM.
 */
export {
  completedStatuses,
  type EventOutcome,
  eventOutcomes,
  type RunStatus,
  runStatuses,
} from '../../core/model.ts';

export const tokenRoles = ['admin', 'operator', 'viewer'] as const;
export type TokenRole = (typeof tokenRoles)[number];

export { type RunMode, runModes } from '../../core/model.ts';

/**
 * API.md "Run trigger": who or what started the run. `replay` marks the scratch row a replay
 * stages under (services/runs/replay-service.ts): never listed, deleted when the replay ends.
 */
export const runTriggers = ['manual', 'api', 'cli', 'schedule', 'apply', 'live', 'replay'] as const;
export type RunTrigger = (typeof runTriggers)[number];
