import { createHash } from 'node:crypto';
import type { PlanContext } from './build-event.ts';
import { policyPathsOf } from './call-policy.ts';
import type { Correlation } from './correlate.ts';
import { decidePairs } from './decide-pairs.ts';
import type { RunDeps } from './engine-deps.ts';
import { normalizeKey } from './normalize-key.ts';
import type { PlannedEvent } from './plan.ts';
import { canonicalJson } from './plan-hash.ts';
import type { PolicyCallOptions, Vars } from './policy-port.ts';
import type { EngineConfig } from './recon-config.ts';
import type { DecisionMemo, SettledAccount } from './store-port.ts';

/**
 * What a run's decisions depend on besides the pair: the config, the versions of its policies
 * and the pre-processor's vars, hashed. Null when a decision may not be reused: a policy that
 * may read the clock or randomness, entitlement lists (a membership changes
 * without a new version), a custom processor, or a do-nothing report (it shows each no-op's
 * policy output).
 */
export async function memoBasis(config: EngineConfig, deps: RunDeps, vars: Vars): Promise<string | null> {
  // A custom processor decides a whole slice at once: one pair's decision may depend on others.
  if (config.sendDoNothingReport || config.customProcessorPolicy || config.entitlementAttribute) return null;
  const paths = policyPathsOf(config);
  const session = deps.policies;
  if (paths.length > 0 && !session) return null;
  const versions = session ? await Promise.all(paths.map((p) => session.versionOf(p))).catch(() => null) : [];
  if (!versions || versions.some((v) => !v.inputOnly)) return null;
  const basis = canonicalJson([config, versions.map((v) => [v.path, v.hash]), vars]);
  return createHash('sha256').update(basis).digest('hex');
}

/** An account with an active link to a live IDM object: its decision depends on nothing else. */
const reusable = (pair: Correlation) =>
  pair.account !== null &&
  pair.idm !== null &&
  pair.via === 'link' &&
  pair.link?.status === 'active' &&
  pair.idm.object.status !== 'deleted';

const isNoOp = (event: PlannedEvent) =>
  (event.outcome === 'recorded' || event.outcome === 'unchanged') && !event.error && !event.action;

/**
 * DESIGN step 6 with "skip what did not change": the pairs a no-op decided before still holds
 * for were settled in the stage and never reach this (settledEvent); the others are decided
 * (decide-pairs.ts), and a linked pair's no-op is remembered, or its memo forgotten.
 */
export async function decideSlice(
  pairs: Correlation[],
  firstSeq: number,
  basis: string | null,
  ctx: PlanContext,
  deps: RunDeps,
  vars: Vars,
  options: PolicyCallOptions,
): Promise<PlannedEvent[]> {
  const events = await decidePairs(pairs, firstSeq, ctx, deps, vars, options);
  if (!basis) return events;
  const remember: DecisionMemo[] = [];
  const forget: string[] = [];
  events.forEach((event, i) => {
    const pair = pairs[i] as Correlation;
    // An account found gone: what was remembered of it no longer holds.
    if (!pair.account && pair.link) forget.push(normalizeKey(pair.link.accountKey));
    if (!reusable(pair)) return;
    const key = normalizeKey((pair.account as NonNullable<Correlation['account']>).key);
    if (isNoOp(event) && event.situation && event.response && event.accountHash) {
      remember.push({
        keyNorm: key,
        accountHash: event.accountHash,
        idmObjectId: (pair.idm as NonNullable<Correlation['idm']>).object.id,
        idmVersion: pair.idm?.version ?? 1,
        basis,
        situation: event.situation,
        response: event.response,
      });
    } else forget.push(key);
  });
  await deps.store.saveMemos(ctx.config.id, remember, forget);
  return events;
}

/**
 * The event of a settled pair: the remembered no-op again, with no policy call. A remembered
 * DO_NOTHING is recorded again; any other response changed nothing then either.
 */
export function settledEvent(settled: SettledAccount): PlannedEvent {
  return {
    seq: settled.seq,
    objectKey: settled.account.key,
    idmObjectId: settled.idmObjectId,
    situation: settled.situation as PlannedEvent['situation'],
    response: settled.response as PlannedEvent['response'],
    action: null,
    diff: null,
    policyOutput: null,
    outcome: settledOutcome(settled.response),
    error: null,
    accountHash: null,
    idmVersion: settled.idmVersion,
  };
}

export const settledOutcome = (response: string) => (response === 'DO_NOTHING' ? 'recorded' : 'unchanged');
