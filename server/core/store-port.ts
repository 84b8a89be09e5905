import type { IdmFilter, ObjectType } from './model.ts';
import type { EventError, PlannedAction, PlannedEvent } from './plan.ts';
import type { IdmEntry, LinkRow } from './recon-config.ts';

/** Which IDM objects a run sees: all of the type, none (a one-way run), or those a filter selects. */
export type IdmScope = { kind: 'all' } | { kind: 'none' } | { kind: 'filter'; filter: IdmFilter };

export type RunPhase = 'reading' | 'planning' | 'gating' | 'applying' | 'finishing';
export type RunStatus =
  | 'queued'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'stopped_by_threshold'
  | 'stopped_by_guard'
  | 'aborted_by_preprocessor'
  | 'cancelled';
export type RunCounts = {
  situations: Record<string, number>;
  responses: Record<string, number>;
  errors: number;
};
export type RunError = { code: string; message: string; details?: unknown };

export type RunUpdate = {
  status?: RunStatus;
  phase?: RunPhase;
  counts?: RunCounts;
  throughput?: number;
  error?: RunError | null;
  finished?: boolean;
  vars?: Record<string, unknown>;
  watermarkBefore?: string | null;
  watermarkAfter?: string | null;
  /** The policy versions the run uses, fixed when it starts. */
  policies?: Array<{ path: string; hash: string }>;
};

/** A planned action waiting to be applied (the apply journal). */
export type JournalEntry = { seq: number; action: PlannedAction };

/** The result of one journal entry after its writes, flipped in the same transaction as the IDM writes. */
export type AppliedEntry = JournalEntry & {
  outcome: 'applied' | 'failed' | 'skipped';
  error: EventError | null;
};

/** Which system and object type the links and entitlements of an apply belong to. */
export type ApplyTarget = { systemId: string; objectType: ObjectType };

/**
 * What the engine needs from storage. The implementation (server/runs/) uses bulk SQL: one
 * statement per thousands of rows.
 */
export interface RunStore {
  loadIdmScope(objectType: ObjectType, scope: IdmScope): Promise<IdmEntry[]>;
  /** The links of the config's system and object type, without their IDM objects. */
  loadLinkRows(target: ApplyTarget): Promise<LinkRow[]>;
  /** IDM objects by id, whatever their status or scope (the objects of links). */
  loadIdmObjects(ids: string[]): Promise<IdmEntry[]>;
  insertEvents(runId: string, events: PlannedEvent[]): Promise<void>;
  /** Forgets a half-written plan so an interrupted planning phase can start again. */
  deleteEvents(runId: string): Promise<void>;
  /**
   * The next `limit` entries still `planned` after `afterSeq`, in plan order: those that write to
   * the system (`side: 'system'`) or those that do not (`'idm'`).
   */
  plannedEntries(
    runId: string,
    side: 'idm' | 'system',
    afterSeq: number,
    limit: number,
  ): Promise<JournalEntry[]>;
  /** IDM writes, link and entitlement writes, and the outcome flips of a batch: one transaction. */
  applyBatch(runId: string, target: ApplyTarget, entries: AppliedEntry[]): Promise<void>;
  countFailed(runId: string): Promise<number>;
  /** What planning stored on the run row, for finishing (also after a resume). */
  finishingState(
    runId: string,
  ): Promise<{ counts: RunCounts; watermarkAfter: string | null; vars: Record<string, unknown> }>;
  updateRun(runId: string, update: RunUpdate): Promise<void>;
  advanceWatermark(configId: string, value: string, runId: string): Promise<void>;
}
