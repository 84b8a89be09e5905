import { type AttributeDiff, sameValue } from './attribute-sync.ts';
import type { DisableWrite, Memberships, WriteOp } from './connector-port.ts';
import { accountContentHash } from './drift.ts';
import { entitlementValues } from './entitlements.ts';
import type { Account, AttributePatch, Attributes, IdmStatus } from './model.ts';
import type { BeforeImage, EventError, IdmWrite, LinkWrite, PlannedAction, PlannedEvent } from './plan.ts';
import type { AttributeSources } from './recon-config.ts';

/** One applied event of the run being undone, as its journal stored it. */
export type AppliedRecord = {
  seq: number;
  objectKey: string | null;
  idmObjectId: string | null;
  situation: string | null;
  response: string | null;
  action: PlannedAction;
  diff: AttributeDiff | null;
  before: BeforeImage | null;
  /** The event put re-created entries back in this group (membershipEvent): it is read as a group. */
  restoresMembership: boolean;
};

/** The event's objects as they are now. `idm` null: the IDM object row is gone. */
export type CurrentObjects = {
  idm: { status: IdmStatus; version: number; changedSinceRun: boolean; deletedAt: Date | null } | null;
  /** The account read again by key (null: absent), when the event names one. */
  account: Account | null;
};

export type UndoContext = {
  now: Date;
  /** How long a deleted IDM object can be brought back whole (IDM_RESTORE_DAYS). */
  restoreDays: number;
  systemId: string;
  /** The connector type: a directory or a SCIM service holds passwords no read returns. */
  systemType: string;
  uniqueFieldKey: string;
  /** The account attribute that lists memberships, if the config has one. */
  entitlementAttribute: string | null;
  isDisabled?: (account: Account) => boolean | undefined;
  /**
   * A directory keeps an entry's groups on the groups (`member`) and shows them on the entry as a
   * back-link it writes itself (`memberOf`): a re-created entry gets its groups back by writing the
   * groups. Null for systems whose accounts carry their memberships as plain attributes.
   */
  memberships: Memberships | null;
  /** Null: the disable is not one attribute; the before-image's differing values are restored. */
  enable: DisableWrite | null;
};

/**
 * Attributes a directory assigns itself or never returns: a re-created account cannot get them
 * back (a new objectGUID, no password), so an undo lists them as what it cannot restore.
 */
const assignedBySystem = new Set(
  [
    'objectGUID',
    'objectSid',
    'uSNChanged',
    'uSNCreated',
    'whenCreated',
    'whenChanged',
    'entryUUID',
    'createTimestamp',
    'modifyTimestamp',
    'unicodePwd',
    'userPassword',
    'password',
  ].map((n) => n.toLowerCase()),
);

/** What cannot be undone of an event, and why; `changed_since_run` when the object moved on. */
export const undoCodes = { cannot: 'cannot_undo', changed: 'changed_since_run' } as const;

export type UndoDecision =
  | {
      kind: 'planned';
      event: PlannedEvent;
      notes: string[];
      /** Groups a re-created entry was in: each gets it back (membershipEvent). */
      groups: string[];
    }
  | { kind: 'skipped'; event: PlannedEvent };

const day = 86_400_000;

/**
 * The inverse of one applied event (DESIGN "Undo is a plan too"): updates put back their
 * before-values, disables become enables and the other way round, deletions are restored
 * (an IDM object from its soft-deleted row inside the restore window, an account re-created from
 * its before-image), and what the run created is deleted. An object changed since the run, or
 * whose before-image is missing, is skipped with the reason; nothing of it is written. The
 * inverse carries its own before-image, so an undo of the undo works the same way.
 */
export function invertEvent(
  record: AppliedRecord,
  current: CurrentObjects,
  seq: number,
  ctx: UndoContext,
): UndoDecision {
  const event: PlannedEvent = {
    seq,
    objectKey: record.objectKey,
    idmObjectId: record.idmObjectId,
    situation: record.situation as PlannedEvent['situation'],
    response: `UNDO_${record.response ?? 'ACTION'}` as PlannedEvent['response'],
    action: null,
    diff: null,
    policyOutput: {
      undo: { seq: record.seq },
    },
    outcome: 'planned',
    error: null,
    // A group is outside the query the plan's drift check reads under (membershipEvent).
    accountHash: current.account && !record.restoresMembership ? accountContentHash(current.account) : null,
    idmVersion: current.idm?.version ?? null,
  };
  const skip = (code: string, message: string): UndoDecision => ({
    kind: 'skipped',
    event: { ...event, outcome: 'skipped', error: { code, message } satisfies EventError },
  });
  const action: PlannedAction = {};
  const diff: AttributeDiff = {};
  const before: BeforeImage = {};
  const notes: string[] = [];
  const groups: string[] = [];
  const { idm } = record.action;
  if (idm) {
    const now = current.idm;
    if (!now) return skip(undoCodes.cannot, `IDM object ${idm.id} no longer exists`);
    if (now.changedSinceRun) return skip(undoCodes.changed, `IDM object ${idm.id} changed since the run`);
    const inverse = invertIdm(idm, record, now, ctx);
    if ('problem' in inverse) return skip(undoCodes.cannot, inverse.problem);
    action.idm = inverse.write;
    Object.assign(diff, inverse.diff);
    if (inverse.sources) before.sources = inverse.sources;
    notes.push(...inverse.notes);
  }
  const { system } = record.action;
  if (system) {
    const inverse = invertSystem(system, record, current.account, ctx);
    if ('problem' in inverse) return skip(inverse.code, inverse.problem);
    if (inverse.write) action.system = inverse.write;
    Object.assign(diff, inverse.diff);
    if (current.account) before.account = current.account.attributes;
    notes.push(...inverse.notes);
    groups.push(...inverse.groups);
  }
  const { link } = record.action;
  if (link) {
    if (record.before?.link === undefined) {
      notes.push(`the link of "${link.accountKey}" as it was before the run was not recorded; it stays`);
    } else {
      action.link = invertLink(link, record.before.link);
      before.link =
        link.op === 'remove'
          ? null
          : {
              accountKey: link.accountKey,
              idmObjectId: link.idmObjectId,
              status: link.status,
              staleSince: link.staleSince,
            };
    }
  }
  const { entitlements } = record.action;
  if (entitlements) {
    const attribute = ctx.entitlementAttribute;
    const held = attribute ? record.diff?.[attribute]?.before : undefined;
    const values = Array.isArray(held) ? held : [];
    action.entitlements = { ...entitlements, values };
    if (attribute) diff[attribute] = { before: entitlements.values, after: values };
  }
  if (!action.idm && !action.system && !action.link && !action.entitlements) {
    return skip(undoCodes.cannot, notes[0] ?? 'nothing of this action can be undone');
  }
  event.action = action;
  event.diff = Object.keys(diff).length > 0 ? diff : null;
  event.before = Object.keys(before).length > 0 ? before : null;
  if (notes.length > 0) event.policyOutput = { undo: { seq: record.seq, notes } };
  if (record.restoresMembership) event.policyOutput = { undo: { seq: record.seq, membershipOf: [] } };
  return { kind: 'planned', event, notes, groups };
}

/**
 * Puts re-created entries back in one group they were in, by writing the group's member list as
 * read now with the entries added (a directory recomputes each entry's back-link from it): one
 * event per group for the whole plan, so no write of the group drops a member another one added.
 * It carries the group as read, so an undo of it puts the list back. `group` null: the group is
 * gone, and the memberships are listed as what cannot be undone.
 */
export function membershipEvent(
  record: AppliedRecord,
  groupKey: string,
  group: Account | null,
  memberKeys: string[],
  seq: number,
  memberships: Memberships,
): UndoDecision {
  const event: PlannedEvent = {
    seq,
    objectKey: groupKey,
    idmObjectId: null,
    situation: record.situation as PlannedEvent['situation'],
    response: `UNDO_${record.response ?? 'ACTION'}` as PlannedEvent['response'],
    action: null,
    diff: null,
    policyOutput: { undo: { seq: record.seq, membershipOf: memberKeys } },
    outcome: 'planned',
    error: null,
    // Groups are outside the query the plan's drift check reads under: planned as absent there.
    accountHash: null,
    idmVersion: null,
  };
  if (!group) {
    const message = `group "${groupKey}" of ${memberKeys.map((k) => `"${k}"`).join(', ')} is gone from the system; the membership cannot be restored`;
    return {
      kind: 'skipped',
      event: { ...event, outcome: 'skipped', error: { code: undoCodes.cannot, message } },
    };
  }
  const held = group.attributes[memberships.member];
  const members = Array.isArray(held) ? held.map(String) : held ? [String(held)] : [];
  const listed = new Set(members.map((m) => m.toLowerCase()));
  const after = [...members, ...memberKeys.filter((k) => !listed.has(k.toLowerCase()))];
  event.action = { system: { op: 'update', key: group.key, patch: { [memberships.member]: after } } };
  event.diff = { [memberships.member]: { before: members, after } };
  event.before = { account: group.attributes };
  return { kind: 'planned', event, notes: [], groups: [] };
}

type IdmInverse =
  | { write: IdmWrite; diff: AttributeDiff; sources?: AttributeSources; notes: string[] }
  | { problem: string };

function invertIdm(
  idm: IdmWrite,
  record: AppliedRecord,
  now: NonNullable<CurrentObjects['idm']>,
  ctx: UndoContext,
): IdmInverse {
  const statusBefore = record.diff?.status?.before;
  switch (idm.op) {
    case 'create':
      return {
        write: { op: 'delete', id: idm.id },
        diff: { status: { before: now.status, after: 'deleted' } },
        notes: [],
      };
    case 'update': {
      const patch: AttributePatch = {};
      const diff: AttributeDiff = {};
      for (const name of Object.keys(idm.patch)) {
        const change = record.diff?.[name];
        patch[name] = change ? change.before : null;
        diff[name] = { before: change?.after ?? idm.patch[name] ?? null, after: patch[name] ?? null };
      }
      return {
        write: { op: 'update', id: idm.id, patch, sources: record.before?.sources ?? {} },
        diff,
        sources: idm.sources,
        notes: [],
      };
    }
    case 'disable':
      return {
        write: { op: 'enable', id: idm.id, patch: {}, sources: {} },
        diff: { status: { before: 'disabled', after: 'active' } },
        notes: [],
      };
    case 'enable': {
      const changed = Object.keys(idm.patch);
      const notes =
        changed.length > 0
          ? [`the attributes the run set while enabling stay as they are: ${changed.join(', ')}`]
          : [];
      // An enable that restored a deleted object (an undo's) is undone by deleting it again.
      const write: IdmWrite =
        statusBefore === 'deleted'
          ? { op: 'delete', id: idm.id }
          : { op: 'disable', id: idm.id, systemId: ctx.systemId };
      return {
        write,
        diff: { status: { before: 'active', after: statusBefore === 'deleted' ? 'deleted' : 'disabled' } },
        notes,
      };
    }
    case 'delete': {
      const deletedAt = now.deletedAt;
      if (deletedAt && ctx.now.getTime() - deletedAt.getTime() > ctx.restoreDays * day) {
        return {
          problem: `IDM object ${idm.id} was deleted on ${deletedAt.toISOString()}, outside the restore window of ${ctx.restoreDays} days`,
        };
      }
      return {
        write: { op: 'enable', id: idm.id, patch: {}, sources: {} },
        diff: {
          status: { before: 'deleted', after: typeof statusBefore === 'string' ? statusBefore : 'active' },
        },
        notes: [],
      };
    }
  }
}

type SystemInverse =
  | { write: WriteOp | null; diff: AttributeDiff; notes: string[]; groups: string[] }
  | { code: string; problem: string };

function invertSystem(
  op: WriteOp,
  record: AppliedRecord,
  account: Account | null,
  ctx: UndoContext,
): SystemInverse {
  const image = record.before?.account;
  const changed = (what: string): SystemInverse => ({
    code: undoCodes.changed,
    problem: `account "${op.key}" ${what} since the run`,
  });
  switch (op.op) {
    case 'create':
      if (!account) return changed('is gone from the system');
      return { write: { op: 'delete', key: op.key }, diff: {}, notes: [], groups: [] };
    case 'update': {
      if (!account) return changed('is gone from the system');
      const patch: AttributePatch = {};
      const diff: AttributeDiff = {};
      for (const [name, value] of Object.entries(op.patch)) {
        if (!sameValue(account.attributes[name], value)) return changed(`changed ("${name}")`);
        const old = image ? (image[name] ?? null) : (record.diff?.[name]?.before ?? null);
        patch[name] = old;
        diff[name] = { before: value, after: old };
      }
      return { write: { op: 'update', key: op.key, patch }, diff, notes: [], groups: [] };
    }
    case 'disable': {
      if (!account) return changed('is gone from the system');
      if (ctx.isDisabled?.(account) === false) return changed('was enabled again');
      if (ctx.enable) return enableAgain(op.key, image, account, ctx.enable, changed);
      if (!image)
        return {
          code: undoCodes.cannot,
          problem: `the account "${op.key}" as it was before the run was not recorded`,
        };
      const patch: AttributePatch = {};
      const diff: AttributeDiff = {};
      for (const [name, value] of Object.entries(image)) {
        if (name === ctx.uniqueFieldKey || sameValue(account.attributes[name], value)) continue;
        patch[name] = value;
        diff[name] = { before: account.attributes[name] ?? null, after: value };
      }
      if (Object.keys(patch).length === 0) {
        return {
          code: undoCodes.cannot,
          problem: `the account "${op.key}" reads as it did before the run; nothing to enable`,
        };
      }
      return { write: { op: 'update', key: op.key, patch }, diff, notes: [], groups: [] };
    }
    case 'delete': {
      if (account) return changed('is back on the system');
      if (!image)
        return {
          code: undoCodes.cannot,
          problem: `the account "${op.key}" as it was before the run was not recorded`,
        };
      const attributes: Attributes = {};
      const lost: string[] = [];
      const groups: string[] = [];
      const backLink = ctx.memberships?.backLink.toLowerCase();
      for (const [name, value] of Object.entries(image)) {
        if (name.toLowerCase() === backLink) groups.push(...entitlementValues(value));
        else if (assignedBySystem.has(name.toLowerCase())) {
          // An entry that never had one (read as empty) loses nothing.
          if (!sameValue(value, null)) lost.push(name);
        } else attributes[name] = value;
      }
      attributes[ctx.uniqueFieldKey] = op.key;
      const notes = lost.map(
        (name) =>
          `"${name}" of "${op.key}" cannot be restored: the system assigns it (the account is re-created with a new one)`,
      );
      if (ctx.systemType !== 'csv' && ctx.systemType !== 'sql') {
        notes.push(
          `the password of "${op.key}" cannot be restored: it was never read; the account is re-created without one`,
        );
      }
      return { write: { op: 'create', key: op.key, attributes }, diff: {}, notes, groups };
    }
  }
}

/**
 * The inverse of a disable on a system whose disable writes one attribute: that attribute back to
 * its value before the run (cleared when the run did not read it: the policy map left it out),
 * and nothing else. An account whose other attributes changed since the run is skipped.
 */
function enableAgain(
  key: string,
  image: Attributes | undefined,
  account: Account,
  enable: DisableWrite,
  changed: (what: string) => SystemInverse,
): SystemInverse {
  const attribute = enable.attribute;
  const ignored = new Set([attribute.toLowerCase(), ...enable.alsoWritten.map((n) => n.toLowerCase())]);
  for (const [name, value] of Object.entries(image ?? {})) {
    const lower = name.toLowerCase();
    if (ignored.has(lower) || assignedBySystem.has(lower) || lower === 'dn') continue;
    if (!sameValue(account.attributes[name], value)) return changed(`changed ("${name}")`);
  }
  const recorded = image && attribute in image ? image[attribute] : undefined;
  const value = recorded === undefined ? enable.enabled : recorded;
  const notes =
    recorded === undefined && enable.enabled === null
      ? [
          `"${attribute}" of "${key}" was not read by the run (the policy map leaves it out): the undo clears it, which enables the account`,
        ]
      : [];
  return {
    write: { op: 'update', key, patch: { [attribute]: value ?? null } },
    diff: { [attribute]: { before: account.attributes[attribute] ?? enable.disabled, after: value ?? null } },
    notes,
    groups: [],
  };
}

function invertLink(link: LinkWrite, before: NonNullable<BeforeImage['link']> | null): LinkWrite {
  if (!before) return { op: 'remove', accountKey: link.accountKey };
  return {
    op: 'upsert',
    accountKey: before.accountKey,
    idmObjectId: before.idmObjectId,
    status: before.status,
    staleSince: before.staleSince,
  };
}
