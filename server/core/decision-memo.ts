import { createHash } from 'node:crypto';
import type { PlanContext } from './build-event.ts';
import { policyPathsOf } from './call-policy.ts';
import type { Correlation } from './correlate.ts';
import { decidePairs } from './decide-pairs.ts';
import { accountContentHash } from './drift.ts';
import type { RunDeps } from './engine-deps.ts';
import { normalizeKey } from './normalize-key.ts';
import type { PlannedEvent } from './plan.ts';
import { canonicalJson } from './plan-hash.ts';
import type { PolicyCallOptions, Vars } from './policy-port.ts';
import type { EngineConfig } from './recon-config.ts';
import type { DecisionMemo } from './store-port.ts';

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
 * DESIGN step 6 with "skip what did not change": a pair whose account content, IDM object and
 * version, and basis are those of a no-op decided before is recorded as that no-op again, with
 * no policy call; the others are decided (decide-pairs.ts), and their no-ops remembered.
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
  if (!basis) return decidePairs(pairs, firstSeq, ctx, deps, vars, options);
  const configId = ctx.config.id;
  const keyOf = (pair: Correlation) =>
    normalizeKey((pair.account as NonNullable<Correlation['account']>).key);
  const memos = new Map(
    (await deps.store.memosFor(configId, pairs.filter(reusable).map(keyOf))).map((m) => [m.keyNorm, m]),
  );
  const events: PlannedEvent[] = [];
  const rest: number[] = [];
  pairs.forEach((pair, i) => {
    const memo = reusable(pair) ? memos.get(keyOf(pair)) : undefined;
    const idm = pair.idm;
    const accountHash = pair.account ? accountContentHash(pair.account) : null;
    if (
      memo &&
      idm &&
      memo.basis === basis &&
      memo.accountHash === accountHash &&
      memo.idmObjectId === idm.object.id &&
      memo.idmVersion === (idm.version ?? 1)
    ) {
      events[i] = {
        seq: firstSeq + i,
        objectKey: pair.account?.key ?? null,
        idmObjectId: idm.object.id,
        situation: memo.situation as PlannedEvent['situation'],
        response: memo.response as PlannedEvent['response'],
        action: null,
        diff: null,
        policyOutput: null,
        // A remembered DO_NOTHING is recorded again; any other response changed nothing then either.
        outcome: memo.response === 'DO_NOTHING' ? 'recorded' : 'unchanged',
        error: null,
        accountHash,
        idmVersion: idm.version ?? null,
      };
    } else rest.push(i);
  });
  const decided = await decidePairs(
    rest.map((i) => pairs[i] as Correlation),
    0,
    ctx,
    deps,
    vars,
    options,
  );
  const remember: DecisionMemo[] = [];
  const forget: string[] = [];
  decided.forEach((event, j) => {
    const i = rest[j] as number;
    const pair = pairs[i] as Correlation;
    events[i] = { ...event, seq: firstSeq + i };
    // An account found gone: what was remembered of it no longer holds.
    if (!pair.account && pair.link) forget.push(normalizeKey(pair.link.accountKey));
    if (!reusable(pair)) return;
    const key = keyOf(pair);
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
    } else if (memos.has(key)) forget.push(key);
  });
  await deps.store.saveMemos(configId, remember, forget);
  return events;
}
