import type { LookupRequest } from './connector-port.ts';
import type { CorrelationVia } from './correlate.ts';
import type { Account, IdmFilter, ObjectType, RunStatus } from './model.ts';

export type { RunStatus } from './model.ts';

import type { EventError, PlannedAction, PlannedEvent } from './plan.ts';
import type { EngineConfig, IdmEntry, LinkRow } from './recon-config.ts';

/** Which IDM objects a run sees: all of the type, none (a one-way run), or those a filter selects. */
export type IdmScope = { kind: 'all' } | { kind: 'none' } | { kind: 'filter'; filter: IdmFilter };

export type RunPhase = 'reading' | 'planning' | 'gating' | 'applying' | 'finishing';
/**
 * A run's counts: what it decided (situations, responses) and what came of it. The outcome counts
 * are absent on runs recorded before they existed.
 */
export type RunCounts = {
  situations: Record<string, number>;
  /** Each event's response, as decided (a dry run's too). */
  responses: Record<string, number>;
  /** Per response, the events whose writes changed the IDM object or the account. */
  applied?: Record<string, number>;
  /** Events whose only write was their link: the correlation recorded, nothing else to change. */
  linked?: number;
  /** Responses that would have changed nothing, so wrote nothing (outcome `unchanged`). */
  unchanged?: number;
  /** Actions not carried out: refused, not applicable, or changed since an approved plan. */
  skipped?: number;
  /** Events that failed: a read problem, a policy, a write. */
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
  /** What the run reads under (the drift check of its plan reads the same way). */
  readRequest?: LookupRequest;
  /** The config as the run uses it, for the explain of its events. */
  configSnapshot?: EngineConfig;
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

/** An account as the run read it, ready to stage: its key normalised and its keys taken once. */
export type ReadAccount = {
  seq: number;
  keyNorm: string;
  account: Account;
  /** accountContentHash (drift.ts), when the run may reuse remembered decisions. */
  accountHash: string | null;
  /** Its recon key values, normalised. */
  keys: string[];
  /** Read again by key after the read (an incremental run): a key read twice is no problem. */
  quiet: boolean;
};

/** A run's account as correlation left it (`run_accounts`), until the plan is decided. */
export type StagedAccount = {
  seq: number;
  keyNorm: string;
  account: Account;
  /** The one IDM object it correlated with, if any. */
  idmObjectId: string | null;
  via: CorrelationVia | null;
  /** Every IDM object its keys pointed at. */
  candidates: string[];
  /** The matching rule's score of each candidate it scored, by IDM object id. */
  scores?: Record<string, number | null> | null;
  /** The keys it was looked up by: its recon key values, or the matching rule's `accountKeys`. */
  keys?: string[];
  link: LinkRow | null;
};

/** A staged pair a remembered no-op holds for (`decision_memos`): counted, never decided again. */
export type SettledAccount = {
  seq: number;
  account: Account;
  idmObjectId: string;
  idmVersion: number;
  situation: string;
  response: string;
};

/**
 * Which IDM objects a run may conclude have no account: all in scope (full runs), those a keys
 * run names, or (incremental runs) those written since the config's last run whose account could
 * be read by key (linked ones, or all when the recon key is the unique field key), and, when the
 * source was read whole, those whose account a remembered no-op names (`memosOf`).
 */
export type ConcludedIdm =
  | { kind: 'all' }
  | { kind: 'ids'; ids: string[] }
  | {
      kind: 'incremental';
      since: string | null;
      linkedOnly: boolean;
      memosOf: string | null;
      target: ApplyTarget;
    };

/** Some IDM objects of a slice, and the id the next slice starts after (null: none left). */
export type IdmSlice = { entries: IdmEntry[]; next: string | null };

/** A no-op decided for a pair, and what it was decided from (`decision_memos`). */
export type DecisionMemo = {
  keyNorm: string;
  accountHash: string;
  idmObjectId: string;
  idmVersion: number;
  basis: string;
  situation: string;
  response: string;
};

/** Correlation keys of one IDM object version (`idm_keys`, `idm_key_sets`). */
export type KeySet = { id: string; version: number; keys: string[] };

/**
 * The IDM side as correlation reads it: by key and in slices, never whole (DESIGN "Scale").
 * Every list it takes is short (one page of accounts, one slice).
 */
export interface CorrelationStore {
  /** Fills in `links.key_norm` where a writer left it out; how many links it filled in. */
  normalizeLinkKeys(target: ApplyTarget, normalize: (key: string) => string): Promise<number>;
  /** The links whose normalised account key is one of `keys`. */
  linksByKeys(target: ApplyTarget, keys: string[]): Promise<LinkRow[]>;
  /** The links, of any status, to these IDM objects. */
  linksOfIdmObjects(target: ApplyTarget, ids: string[]): Promise<LinkRow[]>;
  /**
   * When key sets of `kind` were last brought up to date for a type (null: never), and the point
   * the refresh records when it is done (`now`): the start of the oldest transaction still open,
   * so an object such a transaction writes is found by the next refresh.
   */
  keySetsRefreshed(objectType: ObjectType, kind: string): Promise<{ at: string | null; now: string }>;
  /**
   * Objects (not deleted, whatever the scope: a scope may change) whose key set `kind` is missing
   * or older than them, among those written at or after `since` (null: all), a slice after
   * `afterId` in id order; `next` is where the next slice starts (null: none left).
   */
  staleKeySets(
    objectType: ObjectType,
    kind: string,
    since: string | null,
    afterId: string,
    limit: number,
  ): Promise<IdmSlice>;
  markKeySetsRefreshed(objectType: ObjectType, kind: string, at: string): Promise<void>;
  saveKeySets(kind: string, sets: KeySet[]): Promise<void>;
  /**
   * Refreshes the planner's statistics of links and key sets after many were written, so the
   * look-ups by key use their indexes (stale statistics made them scan: 100× slower).
   */
  analyzeKeys(): Promise<void>;
  /** Copies accounts into the run's reads as they are read (one COPY); how many went in. */
  stageAccounts(runId: string, accounts: AsyncIterable<ReadAccount>): Promise<number>;
  /** The keys of the reads (not quiet) whose key an earlier read of the run had, in read order. */
  repeatedKeys(runId: string): Promise<string[]>;
  /**
   * Correlates the run's reads into its stage in one statement and drops the reads: the first
   * read of each key; its link (by normalised key) first; else, with `keys.kind`, its keys
   * against in-scope, not deleted objects with a key of that kind (one candidate is the pair's IDM
   * object, several a dispute). A linked pair a memo of `memo.basis` still holds for is settled
   * (SettledAccount). Then refreshes the planner's statistics of the stage. Returns how many
   * accounts are staged.
   */
  correlateReads(
    runId: string,
    target: ApplyTarget,
    keys: { kind: string; scope: IdmScope } | null,
    memo: { configId: string; basis: string } | null,
  ): Promise<number>;
  /**
   * Correlates the staged accounts not yet correlated (no link, no candidate) by their `keys`
   * against in-scope, not deleted objects with a key of `kind`: one candidate is the pair's IDM
   * object (`via`), several a dispute.
   */
  correlateByKeys(
    runId: string,
    objectType: ObjectType,
    scope: IdmScope,
    kind: string,
    via: CorrelationVia,
  ): Promise<void>;
  /** Staged accounts with neither link nor candidate, a slice after `afterSeq` in read order. */
  uncorrelatedSlice(
    runId: string,
    afterSeq: number,
    limit: number,
  ): Promise<Array<{ seq: number; account: Account }>>;
  /** Replaces the keys of staged accounts (the matching rule's `accountKeys`). */
  saveKeys(runId: string, keys: Array<{ seq: number; keys: string[] }>): Promise<void>;
  /** Staged accounts with several candidates and no link, a slice after `afterSeq`. */
  disputedSlice(runId: string, afterSeq: number, limit: number): Promise<StagedAccount[]>;
  /** Stores the matching rule's scores, and the winner where one won. */
  saveScores(
    runId: string,
    scored: Array<Pick<StagedAccount, 'seq' | 'idmObjectId' | 'via' | 'candidates' | 'scores'>>,
  ): Promise<void>;
  /** Marks the candidates of disputed accounts as pointed at (the others are staged by id). */
  markDisputedSeen(runId: string): Promise<void>;
  /** IDM objects that more than one account of the run claims by key (links are not claims). */
  sharedClaims(runId: string): Promise<Set<string>>;
  /** Staged accounts still to decide (not settled), a slice after `afterSeq` in read order. */
  stagedSlice(runId: string, afterSeq: number, limit: number): Promise<StagedAccount[]>;
  /** How many settled pairs have each situation and response. */
  settledCounts(runId: string): Promise<Array<{ situation: string; response: string; count: number }>>;
  /** The settled pairs, a slice after `afterSeq` in read order (for a run that records them). */
  settledSlice(runId: string, afterSeq: number, limit: number): Promise<SettledAccount[]>;
  /** In-scope, not deleted objects no account of the run pointed at, a slice at a time (as above). */
  unseenIdmSlice(
    runId: string,
    objectType: ObjectType,
    scope: IdmScope,
    afterId: string,
    limit: number,
    concluded: ConcludedIdm,
  ): Promise<IdmSlice>;
  /** When the config's last successful real run ended (an incremental run's IDM-side "since"). */
  lastRunEnd(configId: string): Promise<string | null>;
  /** Ids of the objects of a type (any status, any scope) written after `since`, after `afterId`. */
  idmChangedSince(objectType: ObjectType, since: string, afterId: string, limit: number): Promise<string[]>;
  /** Remembers new no-ops and forgets those that no longer hold. */
  saveMemos(configId: string, remember: DecisionMemo[], forget: string[]): Promise<void>;
  /**
   * Forgets what a run staged, and the key sets made for that run alone (`run:<id>:…`).
   * `keepAccounts`: a full run's read accounts stay, as its config's last read (the accounts
   * pages show them), and replace those of the config's earlier runs.
   */
  clearStage(runId: string, options?: { keepAccounts: boolean }): Promise<void>;
}

/**
 * What the engine needs from storage. The implementation (server/store/) uses bulk SQL: one
 * statement per thousands of rows.
 */
export interface RunStore extends CorrelationStore {
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
  /** What came of a run's events: applied per response, linked, skipped, and failed (errors). */
  outcomeCounts(
    runId: string,
  ): Promise<Required<Pick<RunCounts, 'applied' | 'linked' | 'skipped' | 'errors'>>>;
  /** What planning stored on the run row, for finishing (also after a resume). */
  finishingState(
    runId: string,
  ): Promise<{ counts: RunCounts; watermarkAfter: string | null; vars: Record<string, unknown> }>;
  updateRun(runId: string, update: RunUpdate): Promise<void>;
  /** Who asked to cancel the run (`null` for no name), or null when nobody did. */
  cancelRequest(runId: string): Promise<{ by: string | null } | null>;
  advanceWatermark(configId: string, value: string, runId: string): Promise<void>;
}
