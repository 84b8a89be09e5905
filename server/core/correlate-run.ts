import { callPolicy } from './call-policy.ts';
import { stopIfCancelled } from './cancel-run.ts';
import type { SearchRequest } from './connector-port.ts';
import { type Correlation, disputeSharedClaims, missingAccountPair, pickByScore } from './correlate.ts';
import { accountContentHash } from './drift.ts';
import type { RunDeps, RunView } from './engine-deps.ts';
import { type KeyKinds, refreshKeySets } from './key-sets.ts';
import { type KeyedRead, readKeyedAccounts, readsByReconKey } from './keys-run.ts';
import type { Account } from './model.ts';
import { keysOfValue, normalizeKey } from './normalize-key.ts';
import type { PlannedEvent } from './plan.ts';
import { type PolicyCallOptions, PolicyError } from './policy-port.ts';
import type { EngineConfig, LinkRow } from './recon-config.ts';
import { analyzeAfter, sliceSize } from './run-slices.ts';
import type { ApplyTarget, ConcludedIdm, IdmScope, ReadAccount, StagedAccount } from './store-port.ts';

export type CorrelatedRun = {
  /** Rows the connector could not read and duplicate keys: failed events without a pair. */
  problems: Array<Omit<PlannedEvent, 'seq'>>;
  watermark: string | null;
  /** How many accounts were read (each key once). */
  accounts: number;
  /** The run's pairs, a slice at a time: the accounts in read order, then the IDM objects none pointed at. */
  slices(): AsyncGenerator<Correlation[]>;
};

const problem = (objectKey: string | null, code: string, message: string): Omit<PlannedEvent, 'seq'> => ({
  objectKey,
  idmObjectId: null,
  situation: null,
  response: null,
  action: null,
  diff: null,
  policyOutput: null,
  outcome: 'failed',
  error: { code, message },
});

const unique = (values: string[]) => [...new Set(values)];

type RunContext = {
  config: EngineConfig;
  deps: RunDeps;
  target: ApplyTarget;
  scope: IdmScope;
  /** The run's key sets, up to date. */
  kinds: KeyKinds;
  options: PolicyCallOptions;
};

/**
 * DESIGN steps 3–5: the system's accounts stream into the run's stage (one COPY, each account's
 * normalised key, content hash and recon key values taken as it passes), then correlation is a few
 * set-based statements over the stage: each account's link first (by normalised key), then the
 * recon key, then the matching rule (called only for the accounts still without a candidate,
 * which may score several candidates). A linked pair a remembered no-op still holds for is
 * settled there and never read back (docs/design.md "Scale"). Nothing of the run's size stays in
 * memory; the pairs are read back in slices by `slices()`.
 */
export async function correlateRun(
  run: RunView,
  config: EngineConfig,
  deps: RunDeps,
  read: { request: SearchRequest; scope: IdmScope; basis: string | null },
  options: PolicyCallOptions,
): Promise<CorrelatedRun> {
  const { request, scope, basis } = read;
  const { store } = deps;
  const target = { systemId: config.system.id, objectType: config.objectType };
  // A planning phase a crash cut short starts again from nothing.
  await store.clearStage(run.id);
  if ((await store.normalizeLinkKeys(target, normalizeKey)) > analyzeAfter) await store.analyzeKeys();
  // A keys run reads its accounts by key, and concludes only about the IDM objects they name. A
  // live run is a keys run over its changed objects (its connector answers from the changes).
  const keyed =
    run.mode === 'keys' || run.mode === 'live'
      ? await readKeyedAccounts(run.keys ?? [], config, deps, request, target)
      : null;
  const kinds = await refreshKeySets(run, config, deps, scope, options);
  const ctx: RunContext = { config, deps, target, scope, kinds, options };
  const problems: CorrelatedRun['problems'] = [];
  const source = config.sourceAttributeName;
  let watermark: string | null = null;
  let seq = 0;
  const readAccount = (account: Account, quiet: boolean): ReadAccount => ({
    seq: seq++,
    keyNorm: normalizeKey(account.key),
    account,
    accountHash: basis ? accountContentHash(account) : null,
    keys: source ? keysOfValue(account.attributes[source]) : [],
    quiet,
  });
  async function* accountsRead(): AsyncGenerator<ReadAccount> {
    let pages = 0;
    try {
      for await (const page of keyed?.pages ?? deps.connector.search(request)) {
        pages++;
        for (const p of page.problems) {
          const where = p.line && !p.message.includes(`line ${p.line}`) ? `line ${p.line}: ` : '';
          problems.push(problem(p.key ?? null, 'read_problem', `${where}${p.message}`));
        }
        if (page.watermark) watermark = page.watermark;
        for (const account of page.accounts) {
          if (normalizeKey(account.key) === '')
            problems.push(problem(null, 'missing_key', 'an account has no unique field key'));
          else yield readAccount(account, false);
          if (seq % sliceSize === 0 && seq > 0) {
            await stopIfCancelled(store, run.id);
            deps.onProgress?.({ phase: 'reading', done: seq, total: null });
          }
        }
      }
    } catch (error) {
      // Nothing read at all: the run fails with the connector's own sentence. A read that broke
      // off part-way is a read problem: what was read is planned, and nothing concluded from the rest.
      // The connector's sentence says what failed and what to do; this says on which system.
      const message = `${config.system.name}: ${error instanceof Error ? error.message : String(error)}`;
      if (pages === 0 && seq === 0) throw new Error(message, { cause: error });
      problems.push(problem(null, 'read_failed', `the read stopped after ${seq} account(s): ${message}`));
    }
  }
  await store.stageAccounts(run.id, accountsRead());
  await stopIfCancelled(store, run.id);
  for (const key of await store.repeatedKeys(run.id))
    problems.push(problem(key, 'duplicate_account_key', `the key "${key}" appears more than once`));
  // A read with problems concludes nothing about absence (DESIGN "Desired state"): an object the
  // read missed may still be on the system. Otherwise the accounts of IDM objects written since
  // are read too (an account already read is no problem).
  const concluded =
    problems.length > 0
      ? null
      : await concludedIdm(run, ctx, request, keyed, basis, async (more) => {
          async function* quietly() {
            for (const account of more) yield readAccount(account, true);
          }
          await store.stageAccounts(run.id, quietly());
        });
  const accounts = await store.correlateReads(
    run.id,
    target,
    kinds.recon ? { kind: kinds.recon, scope } : null,
    basis ? { configId: config.id, basis } : null,
  );
  deps.onProgress?.({ phase: 'reading', done: accounts, total: null });
  await correlateByRule(run, ctx);
  const shared = await store.sharedClaims(run.id);
  return { problems, watermark, accounts, slices: () => pairSlices(run, ctx, shared, concluded) };
}

/**
 * The matching rule, for the accounts neither a link nor the recon key correlated: their
 * `accountKeys` (a slice at a time), then one set-based join; then its scores for disputes.
 */
async function correlateByRule(run: RunView, ctx: RunContext) {
  const { config, deps, scope, kinds, options } = ctx;
  const { store } = deps;
  const rulePath = config.matchingPolicy;
  if (rulePath) {
    if (kinds.rule && scope.kind !== 'none') {
      for (let after = -1; ; ) {
        await stopIfCancelled(store, run.id);
        const slice = await store.uncorrelatedSlice(run.id, after, sliceSize);
        if (slice.length === 0) break;
        after = (slice.at(-1) as { seq: number }).seq;
        const results = await callPolicy(
          deps.policies,
          rulePath,
          'matchingRule',
          'accountKeys',
          slice.map((s) => s.account),
          options,
        );
        await store.saveKeys(
          run.id,
          slice.map((s, i) => {
            const r = results[i];
            return { seq: s.seq, keys: r?.ok ? r.value.flatMap((k) => keysOfValue(k)) : [] };
          }),
        );
      }
      await store.correlateByKeys(run.id, config.objectType, scope, kinds.rule, 'matchingRule');
    }
    await scoreDisputes(run, ctx, rulePath);
  }
  await store.markDisputedSeen(run.id);
}

/**
 * Which IDM objects the run may conclude have no account (null: none). A full run: all in scope.
 * A keys run: those it names. An incremental run: those written since the config's last run
 * (so IDM_EXISTS__RESOURCE_NOT_EXISTS is found incrementally), whose accounts it first reads by
 * key and stages; only an object whose account could be read by key is concluded about — a
 * linked one, or any when the recon key is the unique field key. Another object's account may
 * exist unread, matched by a rule. And when the source was read whole (no watermark: CSV without
 * a change column), those whose account a remembered no-op names and the read did not bring: the
 * synthetic delta of such a source, deletions included.
 */
async function concludedIdm(
  run: RunView,
  ctx: RunContext,
  request: SearchRequest,
  keyed: KeyedRead | null,
  basis: string | null,
  stageQuietly: (accounts: Account[]) => Promise<void>,
): Promise<ConcludedIdm | null> {
  const { config, deps, target } = ctx;
  if (ctx.scope.kind === 'none') return null;
  if (keyed) return keyed.idmIds.size > 0 ? { kind: 'ids', ids: [...keyed.idmIds] } : null;
  if (run.mode !== 'incremental') return { kind: 'all' };
  const since = await deps.store.lastRunEnd(config.id);
  const memosOf = basis && request.watermark === null ? config.id : null;
  if (!since && !memosOf) return null;
  for (let after = ''; since; ) {
    const ids = await deps.store.idmChangedSince(config.objectType, since, after, sliceSize);
    if (ids.length === 0) break;
    after = ids[ids.length - 1] as string;
    const read = await readKeyedAccounts(
      ids.map((id) => `idm:${id}`),
      config,
      deps,
      request,
      target,
    );
    await stageQuietly(read.pages.flatMap((p) => p.accounts).filter((a) => normalizeKey(a.key) !== ''));
  }
  return { kind: 'incremental', since, linkedOnly: !readsByReconKey(config), memosOf, target };
}

async function* pairSlices(
  run: RunView,
  ctx: RunContext,
  shared: Set<string>,
  concluded: ConcludedIdm | null,
): AsyncGenerator<Correlation[]> {
  const { store } = ctx.deps;
  for (let after = -1; ; ) {
    const slice = await store.stagedSlice(run.id, after, sliceSize);
    if (slice.length === 0) break;
    after = (slice[slice.length - 1] as StagedAccount).seq;
    const ids = unique(slice.flatMap((s) => [...s.candidates, ...(s.link ? [s.link.idmObjectId] : [])]));
    const objects = new Map((await store.loadIdmObjects(ids)).map((e) => [e.object.id, e]));
    yield slice.map((s) => {
      const link = s.link ? { ...s.link, idm: objects.get(s.link.idmObjectId) ?? null } : null;
      const candidates = s.candidates.flatMap((id) => objects.get(id) ?? []);
      const scores = s.scores ?? null;
      const idm = s.idmObjectId ? (objects.get(s.idmObjectId) ?? null) : null;
      const pair = { account: s.account, idm, candidates, link, via: s.via, scores, keys: s.keys ?? [] };
      return disputeSharedClaims(pair, shared);
    });
  }
  if (!concluded) return;
  for (let after: string | null = ''; after !== null; ) {
    const slice = await store.unseenIdmSlice(
      run.id,
      ctx.config.objectType,
      ctx.scope,
      after,
      sliceSize,
      concluded,
    );
    after = slice.next;
    const { entries } = slice;
    if (entries.length === 0) continue;
    const active = new Map<string, LinkRow>();
    for (const link of await store.linksOfIdmObjects(
      ctx.target,
      entries.map((e) => e.object.id),
    )) {
      if (link.status !== 'tombstone') active.set(link.idmObjectId, link);
    }
    yield entries.map((entry) => missingAccountPair(entry, active.get(entry.object.id) ?? null));
  }
}

/**
 * Asks the matching rule's `score` to choose among several candidates, and keeps each candidate's
 * score on the pair. A tie stays DISPUTED, and so does every such pair of a rule without `score`
 * (it is optional: a person decides).
 */
async function scoreDisputes(run: RunView, ctx: RunContext, path: string) {
  const { deps, options } = ctx;
  const { store } = deps;
  for (let after = -1; ; ) {
    const slice = await store.disputedSlice(run.id, after, sliceSize);
    if (slice.length === 0) return;
    after = (slice.at(-1) as StagedAccount).seq;
    const objects = new Map(
      (await store.loadIdmObjects(unique(slice.flatMap((s) => s.candidates)))).map((e) => [e.object.id, e]),
    );
    const disputed = slice.map((s) => ({
      ...s,
      entries: s.candidates.flatMap((id) => objects.get(id) ?? []),
    }));
    const inputs = disputed.flatMap((p) =>
      p.entries.map((c) => ({ account: p.account, candidate: c.object })),
    );
    let scores: Awaited<ReturnType<typeof callPolicy<'matchingRule', 'score'>>>;
    try {
      scores = await callPolicy(deps.policies, path, 'matchingRule', 'score', inputs, options);
    } catch (error) {
      if (error instanceof PolicyError && error.info.kind === 'not_found') return;
      throw error;
    }
    let at = 0;
    const scored = disputed.map((pair) => {
      const mine = scores.slice(at, at + pair.entries.length).map((r) => (r.ok ? r.value : Number.NaN));
      at += pair.entries.length;
      const winner = pickByScore(pair.entries, mine);
      return {
        seq: pair.seq,
        idmObjectId: winner?.object.id ?? null,
        via: winner ? ('matchingRule' as const) : null,
        candidates: winner ? [winner.object.id] : pair.candidates,
        scores: Object.fromEntries(
          pair.entries.map((c, i) => [c.object.id, Number.isFinite(mine[i]) ? (mine[i] as number) : null]),
        ),
      };
    });
    await store.saveScores(run.id, scored);
  }
}
