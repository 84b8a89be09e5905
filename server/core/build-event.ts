import {
  type AttributeDiff,
  accountPatchFrom,
  copyByName,
  idmPatchFrom,
  outboundAttributes,
} from './attribute-sync.ts';
import { beforeImageOf } from './before-image.ts';
import type { Correlation } from './correlate.ts';
import { accountContentHash } from './drift.ts';
import { addEntitlements } from './entitlements.ts';
import { correlationRecordOf } from './explain-record.ts';
import { decideStale } from './gates.ts';
import type { Account, AttributePatch, Response, Situation } from './model.ts';
import type { EventError, PlannedAction, PlannedEvent } from './plan.ts';
import { hasWrites } from './plan.ts';
import type { CommandAction, PolicyResult } from './policy-port.ts';
import {
  type EngineConfig,
  type IdmEntry,
  reconKeyIdmAttribute,
  type SituationRule,
} from './recon-config.ts';

/** Everything decided about one pair before its event is built; policy outputs already gathered. */
export type PairDecision = {
  seq: number;
  pair: Correlation;
  situation: Situation;
  rule: SituationRule;
  /** The responses to carry out: the situation row's, or what a command policy asked for. */
  commands: CommandAction[];
  /** Population policy output (IDM attributes), when the situation row names one. */
  population?: PolicyResult<AttributePatch>;
  /** Outbound mapping policy output (account attributes), when the system has one. */
  outbound?: PolicyResult<AttributePatch>;
  policyOutput?: Record<string, unknown>;
};

export type PlanContext = {
  config: EngineConfig;
  now: Date;
  newId: () => string;
  /** The connector's reading of an account's disabled state (connector-port.ts `isDisabled`). */
  isDisabled?: (account: Account) => boolean | undefined;
  /** The key a created account is read back with (connector-port.ts `keyAsRead`). */
  keyAsRead?: (key: string) => string;
};

type Draft = {
  event: PlannedEvent;
  action: PlannedAction;
  diff: AttributeDiff;
  notes: Record<string, unknown>;
  refusals: EventError[];
};

const liveIdm = (pair: Correlation): IdmEntry | null =>
  pair.idm && pair.idm.object.status !== 'deleted' && pair.link?.status !== 'tombstone' ? pair.idm : null;

/** An IDM object that this system's absence disabled (DISABLE_IN_IDM records itself as the status source). */
const disabledBy = (idm: IdmEntry, systemId: string) =>
  idm.object.status === 'disabled' && idm.sources.status?.systemId === systemId;

function ensureLink(d: Draft, pair: Correlation, accountKey: string, idmObjectId: string) {
  const link = pair.link;
  if (link && link.status === 'active' && link.idmObjectId === idmObjectId) return;
  d.action.link = { op: 'upsert', accountKey, idmObjectId, status: 'active', staleSince: null };
}

/** Carries one response into the draft, or says why it cannot apply to this pair. */
function applyResponse(
  d: Draft,
  decision: PairDecision,
  response: Response,
  override: AttributePatch | undefined,
  ctx: PlanContext,
): EventError | null {
  const { pair } = decision;
  const { config } = ctx;
  const account = pair.account;
  const idm = liveIdm(pair);
  const systemId = config.system.id;
  const missing = (what: string): EventError => ({
    code: 'not_applicable',
    message: `${response} does not apply to ${decision.situation}: there is no ${what}`,
  });
  const refuse = (): EventError => ({
    code: 'not_trusted',
    message: `${config.system.name} is not a trusted system: it may not create or update IDM objects (${response} refused)`,
  });
  const population = decision.population?.ok ? decision.population.value : undefined;
  switch (response) {
    case 'DO_NOTHING':
      return null;
    case 'ADD_TO_IDM':
    case 'UPDATE_IDM_FROM_RESOURCE': {
      if (!account) return missing('account');
      if (response === 'UPDATE_IDM_FROM_RESOURCE' && !idm) return missing('IDM object');
      const proposed =
        override ??
        population ??
        copyByName(account, reconKeyIdmAttribute(config), config.sourceAttributeName);
      const result = idmPatchFrom(proposed, idm, systemId, config.attributeSync);
      const id = idm?.object.id ?? ctx.newId();
      if (!config.system.trusted) {
        d.refusals.push(refuse());
        if (!idm) return null;
      } else if (!idm) {
        d.action.idm = {
          op: 'create',
          id,
          type: config.objectType,
          attributes: result.patch,
          sources: result.sources,
        };
      } else if (disabledBy(idm, systemId)) {
        // The account is back on the trusted system whose absence disabled the object.
        d.action.idm = { op: 'enable', id, patch: result.patch, sources: result.sources };
        d.diff.status = { before: 'disabled', after: 'active' };
      } else if (Object.keys(result.patch).length > 0) {
        d.action.idm = { op: 'update', id, patch: result.patch, sources: result.sources };
      }
      if (config.system.trusted) Object.assign(d.diff, result.diff);
      if (result.heldBack.length > 0) d.notes.heldBack = result.heldBack;
      d.event.idmObjectId = id;
      ensureLink(d, pair, account.key, id);
      addEntitlements(d, config, account, id, idm);
      return null;
    }
    case 'DELETE_FROM_IDM':
    case 'DISABLE_IN_IDM': {
      if (!idm) return missing('IDM object');
      if (!config.system.trusted) {
        d.refusals.push(refuse());
        return null;
      }
      const id = idm.object.id;
      if (response === 'DISABLE_IN_IDM') {
        if (idm.object.status === 'disabled') return null;
        d.action.idm = { op: 'disable', id, systemId };
        d.diff.status = { before: idm.object.status, after: 'disabled' };
        return null;
      }
      if (!account && pair.link) {
        const stale = decideStale(
          pair.link.status === 'stale' ? pair.link.staleSince : null,
          config.staleDays,
          ctx.now,
        );
        if (stale.decision !== 'delete') {
          d.notes.stale = { since: stale.staleSince, deleteAfter: stale.deleteAfter };
          if (stale.decision === 'mark_stale') {
            d.action.link = {
              op: 'upsert',
              accountKey: pair.link.accountKey,
              idmObjectId: id,
              status: 'stale',
              staleSince: stale.staleSince,
            };
          }
          return null;
        }
      }
      d.action.idm = { op: 'delete', id };
      d.diff.status = { before: idm.object.status, after: 'deleted' };
      const accountKey = account?.key ?? pair.link?.accountKey;
      if (accountKey)
        d.action.link = { op: 'upsert', accountKey, idmObjectId: id, status: 'tombstone', staleSince: null };
      return null;
    }
    case 'ADD_TO_RESOURCE':
    case 'UPDATE_RESOURCE_FROM_IDM': {
      if (!idm) return missing('IDM object');
      if (response === 'UPDATE_RESOURCE_FROM_IDM' && !account) return missing('account');
      const mapped = override ?? (decision.outbound?.ok ? decision.outbound.value : undefined);
      const proposed = mapped ?? outboundAttributes(idm.object, account, config.system);
      const { patch, diff } = accountPatchFrom(proposed, account, config.system, config.attributeSync);
      Object.assign(d.diff, diff);
      if (account) {
        if (Object.keys(patch).length > 0) d.action.system = { op: 'update', key: account.key, patch };
        ensureLink(d, pair, account.key, idm.object.id);
        return null;
      }
      const keyValue = proposed[config.system.uniqueFieldKey];
      const key = keyValue === null || keyValue === undefined ? '' : String(keyValue).trim();
      if (key === '') {
        return {
          code: 'missing_unique_key',
          message: `cannot create an account: the IDM object has no value for the unique field key "${config.system.uniqueFieldKey}"`,
        };
      }
      d.event.objectKey = key;
      d.action.system = { op: 'create', key, attributes: { ...patch, [config.system.uniqueFieldKey]: key } };
      ensureLink(d, pair, ctx.keyAsRead?.(key) ?? key, idm.object.id);
      return null;
    }
    case 'DELETE_FROM_RESOURCE':
    case 'DISABLE_IN_RESOURCE': {
      if (!account) return missing('account');
      if (response === 'DISABLE_IN_RESOURCE') {
        // Desired state: an account the system shows disabled already needs no write.
        if (ctx.isDisabled?.(account) !== true) d.action.system = { op: 'disable', key: account.key };
        return null;
      }
      d.action.system = { op: 'delete', key: account.key };
      if (pair.link) d.action.link = { op: 'remove', accountKey: account.key };
      return null;
    }
  }
}

/**
 * Builds one pair's event: the writes its responses need, the attribute diff, and an outcome —
 * `planned` when there is something to write, `recorded` when there is nothing to do, `skipped`
 * when the responses were refused or do not apply, `failed` when a policy failed.
 */
export function buildEvent(decision: PairDecision, ctx: PlanContext): PlannedEvent {
  const { pair, situation } = decision;
  const event: PlannedEvent = {
    seq: decision.seq,
    objectKey: pair.account?.key ?? pair.link?.accountKey ?? null,
    idmObjectId: pair.idm?.object.id ?? null,
    situation,
    response: decision.commands[0]?.response ?? decision.rule.response,
    action: null,
    diff: null,
    policyOutput: decision.policyOutput ?? null,
    outcome: 'recorded',
    error: null,
    // Review: what this event saw, so an approved plan can tell whether the object drifted since.
    accountHash: pair.account ? accountContentHash(pair.account) : null,
    idmVersion: pair.idm?.version ?? null,
    correlation: correlationRecordOf(pair, ctx.config),
  };
  if (situation === 'DISPUTED') {
    const ids = pair.candidates.map((c) => c.object.id).join(', ');
    event.error = {
      code: 'disputed',
      message: `${pair.candidates.length} IDM objects match (${ids}); a person must decide`,
    };
    // The disputes queue opens from this: the account as read, the candidates to choose from and
    // the matching rule's score of each (when it scored them).
    event.policyOutput = {
      ...(decision.policyOutput ?? {}),
      dispute: {
        account: pair.account?.attributes ?? null,
        candidates: pair.candidates.map((c) => c.object.id),
        ...(pair.scores ? { scores: pair.scores } : {}),
      },
    };
    return event;
  }
  // A winner by score: every candidate's score, so the choice can be read back.
  if (pair.scores) event.policyOutput = { ...(decision.policyOutput ?? {}), scores: pair.scores };
  for (const result of [decision.population, decision.outbound]) {
    if (result && !result.ok) {
      event.outcome = 'failed';
      event.error = { code: 'policy_error', message: result.error.message, policy: result.error };
      return event;
    }
  }
  const draft: Draft = { event, action: {}, diff: {}, notes: {}, refusals: [] };
  for (const command of decision.commands) {
    const problem = applyResponse(draft, decision, command.response, command.patch, ctx);
    if (problem) {
      event.outcome = problem.code === 'not_applicable' ? 'skipped' : 'failed';
      event.error = problem;
      return event;
    }
  }
  if (pair.account && pair.link?.status === 'stale' && !draft.action.link && liveIdm(pair)) {
    // The account is back: its link is no longer stale, whatever the response.
    draft.action.link = {
      op: 'upsert',
      accountKey: pair.account.key,
      idmObjectId: pair.link.idmObjectId,
      status: 'active',
      staleSince: null,
    };
  }
  if (Object.keys(draft.notes).length > 0) {
    event.policyOutput = { ...(decision.policyOutput ?? {}), ...draft.notes };
  }
  event.diff = Object.keys(draft.diff).length > 0 ? draft.diff : null;
  event.error = draft.refusals[0] ?? null;
  if (hasWrites(draft.action)) {
    event.action = draft.action;
    event.before = beforeImageOf(pair, draft.action);
    event.outcome = 'planned';
  } else if (event.error) {
    event.outcome = 'skipped';
  } else if (decision.commands.some((c) => c.response !== 'DO_NOTHING')) {
    // A response that would change nothing is not an action (DESIGN "Desired state").
    event.outcome = 'unchanged';
  }
  return event;
}
