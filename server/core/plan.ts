import type { AttributeDiff } from './attribute-sync.ts';
import type { WriteOp } from './connector-port.ts';
import type { CorrelationRecord } from './explain-record.ts';
import type { AttributePatch, Attributes, EventOutcome, ObjectType, Response, Situation } from './model.ts';

export type { EventOutcome } from './model.ts';

import type { PolicyErrorInfo } from './policy-port.ts';
import type { AttributeSources, LinkRow, LinkStatus } from './recon-config.ts';

/**
 * What an action overwrites that its event does not otherwise keep, stored beside it so an undo
 * can put it back (the attribute diff already holds the before-values of IDM updates):
 * - `account`: the account as read, when the action updates, disables or deletes it;
 * - `link`: the link as it was (null: none), when the action writes the link;
 * - `sources`: who set each IDM attribute an update overwrites (absent: nobody).
 */
export type BeforeImage = {
  account?: Attributes;
  link?: LinkRow | null;
  sources?: AttributeSources;
};

/** A write to the IDM. Ids of new objects are chosen at plan time, so re-applying is idempotent. */
export type IdmWrite =
  | { op: 'create'; id: string; type: ObjectType; attributes: Attributes; sources: AttributeSources }
  | { op: 'update'; id: string; patch: AttributePatch; sources: AttributeSources }
  /** `systemId`: the trusted system whose response disabled it, kept as the status's source. */
  | { op: 'disable'; id: string; systemId?: string }
  /** Active again, with the attributes the account brings: it is back on the system that disabled it. */
  | { op: 'enable'; id: string; patch: AttributePatch; sources: AttributeSources }
  | { op: 'delete'; id: string };

export type LinkWrite =
  | { op: 'upsert'; accountKey: string; idmObjectId: string; status: LinkStatus; staleSince: string | null }
  | { op: 'remove'; accountKey: string };

/** IDHub's rule: the account's memberships replace what the IDM holds from this system. */
export type EntitlementWrite = { accountKey: string; idmObjectId: string; values: string[] };

/** Everything one event will write, journaled in its `action` column before any write. */
export type PlannedAction = {
  idm?: IdmWrite;
  system?: WriteOp;
  link?: LinkWrite;
  entitlements?: EntitlementWrite;
};

export type EventError = { code: string; message: string; policy?: PolicyErrorInfo };

/** One row of the activity history, as planned. */
export type PlannedEvent = {
  seq: number;
  objectKey: string | null;
  idmObjectId: string | null;
  situation: Situation | null;
  response: Response | null;
  action: PlannedAction | null;
  diff: AttributeDiff | null;
  policyOutput: unknown;
  outcome: EventOutcome;
  error: EventError | null;
  /** What the action overwrites that the event does not otherwise keep (undo). */
  before?: BeforeImage | null;
  /** How the account was correlated (explain). */
  correlation?: CorrelationRecord | null;
  /** What the event saw when planned, for the drift check of an applied plan (review). */
  accountHash?: string | null;
  idmVersion?: number | null;
};

export function hasWrites(action: PlannedAction | null): action is PlannedAction {
  return !!action && !!(action.idm || action.system || action.link || action.entitlements);
}

/** Deletions the gate counts: an IDM object or an account removed. */
export function isDeletionAction(action: PlannedAction | null): boolean {
  return action?.idm?.op === 'delete' || action?.system?.op === 'delete';
}
