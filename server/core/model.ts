/**
 * The engine's plain-data vocabulary (docs/design.md). Shared by the engine, the sandbox, the
 * connectors and the storage adapters; imports nothing.
 */
export const objectTypes = ['User', 'Group', 'Role', 'Organization'] as const;
export type ObjectType = (typeof objectTypes)[number];

export const situations = [
  'IDM_EXISTS__RESOURCE_EXISTS',
  'IDM_EXISTS__RESOURCE_NOT_EXISTS',
  'IDM_NOT_EXISTS__RESOURCE_EXISTS',
  'IDM_DELETED__RESOURCE_EXISTS',
  'DISPUTED',
] as const;
export type Situation = (typeof situations)[number];

export const responses = [
  'DO_NOTHING',
  'ADD_TO_IDM',
  'UPDATE_IDM_FROM_RESOURCE',
  'DELETE_FROM_IDM',
  'DISABLE_IN_IDM',
  'ADD_TO_RESOURCE',
  'UPDATE_RESOURCE_FROM_IDM',
  'DELETE_FROM_RESOURCE',
  'DISABLE_IN_RESOURCE',
] as const;
export type Response = (typeof responses)[number];

/** docs/api.md "Runs": a whole system, its changes, a few objects by key, or live changes. */
export const runModes = ['full', 'incremental', 'keys', 'live'] as const;
export type RunMode = (typeof runModes)[number];

/**
 * What came of one event. `planned`: to be written; `applied`: written; `unchanged`: its response
 * would change nothing (equal values, disabling what is disabled), so nothing was written;
 * `recorded`: DO_NOTHING or a dispute; `skipped`: refused, not applicable, or changed since an
 * approved plan; `failed`: a policy or a write failed.
 */
export const eventOutcomes = ['planned', 'applied', 'unchanged', 'skipped', 'failed', 'recorded'] as const;
export type EventOutcome = (typeof eventOutcomes)[number];

/**
 * How a run stands or ended (docs/api.md "Runs"). `succeeded` means no error at all; a run whose
 * events failed (or, applying a plan, were skipped) ends `succeeded_with_errors`.
 */
export const runStatuses = [
  'queued',
  'running',
  'succeeded',
  'succeeded_with_errors',
  'failed',
  'stopped_by_threshold',
  'stopped_by_guard',
  'aborted_by_preprocessor',
  'cancelled',
  'skipped',
] as const;
export type RunStatus = (typeof runStatuses)[number];

/**
 * docs/api.md "Runs": who or what started the run. `undo` makes the plan that inverts a run;
 * `replay` marks the scratch row a replay stages under (services/runs/replay-service.ts), never
 * listed and deleted when the replay ends.
 */
export const runTriggers = ['manual', 'api', 'cli', 'schedule', 'apply', 'live', 'undo', 'replay'] as const;
export type RunTrigger = (typeof runTriggers)[number];

/** docs/api.md "Signing in, roles, errors": what an API token may do. */
export const tokenRoles = ['admin', 'operator', 'viewer'] as const;
export type TokenRole = (typeof tokenRoles)[number];

/** Runs that went to their end: what they read and wrote counts (baselines, "since", disputes). */
export const completedStatuses = [
  'succeeded',
  'succeeded_with_errors',
] as const satisfies readonly RunStatus[];

/** Runs stopped before any write with their plan kept for an admin to review (docs/api.md "Review and apply"). */
export const heldStatuses: ReadonlySet<RunStatus> = new Set(['stopped_by_threshold', 'stopped_by_guard']);

export type AttributeValue = string | number | boolean | null | string[];
export type Attributes = Record<string, AttributeValue>;

/** Set these keys; `null` removes the attribute. */
export type AttributePatch = Record<string, AttributeValue>;

/** One object on a managed system, identified by its unique field key (DN, employee number, …). */
export type Account = {
  key: string;
  attributes: Attributes;
};

export type IdmStatus = 'active' | 'disabled' | 'deleted';

/**
 * An IDM object as the engine and policies see it. `name`, `login`, `email` and `employeeId`
 * appear among the attributes like any other (storage keeps them in indexed columns).
 */
export type IdmObject = {
  id: string;
  type: ObjectType;
  status: IdmStatus;
  attributes: Attributes;
};

/** The managed system a run reads, as the engine needs it (no connection, no secrets). */
export type RunSystem = {
  id: string;
  name: string;
  /** The connector type: csv, sql, ldap, scim, or a connector plugin's. */
  type: string;
  trusted: boolean;
  uniqueFieldKey: string;
};

/** A JSON filter over IDM objects, from the IDM query policy or the config's `idmSearchFilter`. */
export type IdmFilter =
  | { $and: IdmFilter[] }
  | { $or: IdmFilter[] }
  | { [attribute: string]: AttributeValue | { $in: AttributeValue[] } | { $exists: boolean } };

/** What a target query policy hands the connector. */
export type ConnectorQuery =
  | { type: 'ldap'; filter: string; baseDn?: string; scope?: 'base' | 'one' | 'sub' }
  | { type: 'sql'; text: string; params: Array<string | number | boolean | null> }
  | { type: 'csv'; where?: Record<string, string | string[]> };
