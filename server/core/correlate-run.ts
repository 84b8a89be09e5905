import { callPolicy } from './call-policy.ts';
import { stopIfCancelled } from './cancel-run.ts';
import type { SearchRequest } from './connector-port.ts';
import {
  buildCorrelationIndex,
  type Correlation,
  type CorrelationIndex,
  correlateAccount,
  disputeSharedClaims,
  missingAccountPair,
  pickByScore,
} from './correlate.ts';
import { accountContentHash } from './drift.ts';
import type { RunDeps, RunView } from './engine-deps.ts';
import { type KeyKinds, refreshKeySets } from './key-sets.ts';
import { type KeyedRead, readKeyedAccounts, readsByReconKey } from './keys-run.ts';
import type { Account } from './model.ts';
import { keysOfValue, normalizeKey } from './normalize-key.ts';
import type { PlannedEvent } from './plan.ts';
import { type PolicyCallOptions, PolicyError } from './policy-port.ts';
import type { EngineConfig, IdmEntry, LinkEntry, LinkRow } from './recon-config.ts';
import { analyzeAfter, sliceSize } from './run-slices.ts';
import type { ApplyTarget, ConcludedIdm, IdmScope, StagedAccount } from './store-port.ts';

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

type PageContext = {
  config: EngineConfig;
  deps: RunDeps;
  target: ApplyTarget;
  scope: IdmScope;
  /** The run's key sets, up to date. */
  kinds: KeyKinds;
  options: PolicyCallOptions;
};

/** The index of one page: its links with their objects, and the in-scope objects its keys name. */
async function pageIndex(
  ctx: PageContext,
  which: keyof KeyKinds,
  keys: string[],
  links: LinkEntry[],
): Promise<CorrelationIndex> {
  const kind = keys.length > 0 && ctx.scope.kind !== 'none' ? ctx.kinds[which] : null;
  const found = kind
    ? await ctx.deps.store.idmByKeys(ctx.config.objectType, ctx.scope, kind, unique(keys))
    : [];
  const byId = new Map<string, { entry: IdmEntry; keys: string[] }>();
  for (const { key, entry } of found) {
    const known = byId.get(entry.object.id);
    if (known) known.keys.push(key);
    else byId.set(entry.object.id, { entry, keys: [key] });
  }
  const entries = [...byId.values()];
  return buildCorrelationIndex(
    entries.map((e) => e.entry),
    entries.map((e) => e.keys),
    links,
  );
}

/**
 * DESIGN step 4 for one page of accounts: each account's link first (by unique field key), then
 * the recon key, then the matching rule (which may score several candidates). The IDM side is
 * read by key for just this page.
 */
async function correlatePage(ctx: PageContext, accounts: Account[]): Promise<Correlation[]> {
  const { config, deps, target, options } = ctx;
  const linkRows = await deps.store.linksByKeys(
    target,
    accounts.map((a) => normalizeKey(a.key)),
  );
  const objects = new Map(
    (await deps.store.loadIdmObjects(unique(linkRows.map((r) => r.idmObjectId)))).map((e) => [
      e.object.id,
      e,
    ]),
  );
  const links = linkRows.map((row): LinkEntry => ({ ...row, idm: objects.get(row.idmObjectId) ?? null }));
  const source = config.sourceAttributeName;
  // A link always wins: only the accounts without one are looked up by key.
  const linked = new Set(linkRows.map((r) => normalizeKey(r.accountKey)));
  const reconKeys = accounts.map((a) =>
    source && !linked.has(normalizeKey(a.key)) ? keysOfValue(a.attributes[source]) : [],
  );
  const reconIndex = await pageIndex(ctx, 'recon', reconKeys.flat(), links);
  const pairs = accounts.map((account, i) =>
    correlateAccount(account, reconKeys[i] ?? [], reconIndex, 'reconKey'),
  );
  const rulePath = config.matchingPolicy;
  if (!rulePath) return pairs;
  const unmatched = pairs.flatMap((p, i) => (!p.link && p.candidates.length === 0 ? [i] : []));
  if (unmatched.length > 0) {
    const inputs = unmatched.map((i) => accounts[i] as Account);
    const results = await callPolicy(deps.policies, rulePath, 'matchingRule', 'accountKeys', inputs, options);
    const ruleKeys = results.map((r) => (r.ok ? r.value.flatMap((k) => keysOfValue(k)) : []));
    const ruleIndex = await pageIndex(ctx, 'rule', ruleKeys.flat(), links);
    unmatched.forEach((i, j) => {
      pairs[i] = correlateAccount(accounts[i] as Account, ruleKeys[j] ?? [], ruleIndex, 'matchingRule');
    });
  }
  await scoreDisputes(pairs, rulePath, deps, options);
  return pairs;
}

const linkRowOf = ({ idm: _idm, ...row }: LinkEntry): LinkRow => row;

/**
 * DESIGN steps 3–5 as a stream: reads the system's accounts page by page, correlates each page
 * against the IDM side looked up by key, and stages the result in the database (`run_accounts`,
 * with the objects each account pointed at). Nothing of the run's size stays in memory; the
 * pairs are read back in slices by `slices()`, once every account is in, because two accounts
 * claiming one IDM object (a dispute) are known only then.
 */
export async function correlateRun(
  run: RunView,
  config: EngineConfig,
  deps: RunDeps,
  read: { request: SearchRequest; scope: IdmScope; basis: string | null },
  options: PolicyCallOptions,
): Promise<CorrelatedRun> {
  const { request, scope } = read;
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
  const ctx: PageContext = { config, deps, target, scope, kinds, options };
  const problems: CorrelatedRun['problems'] = [];
  let watermark: string | null = null;
  let seq = 0;
  let accounts = 0;
  let batch: Account[] = [];
  // Connector pages are gathered into batches: a few round trips per thousands of accounts.
  // An incremental run leaves out the accounts a remembered no-op still holds for (unchanged).
  const skipUnchanged = run.mode === 'incremental' ? read.basis : null;
  const stage = async (quiet = false) => {
    await stopIfCancelled(store, run.id);
    if (skipUnchanged && !quiet) batch = await withoutUnchanged(run, ctx, skipUnchanged, batch);
    const pairs = await correlatePage(ctx, batch);
    const rows = pairs.map(
      (pair, i): StagedAccount => ({
        seq: seq + i,
        keyNorm: normalizeKey((batch[i] as Account).key),
        account: batch[i] as Account,
        idmObjectId: pair.idm?.object.id ?? null,
        via: pair.via,
        candidates: pair.candidates.map((c) => c.object.id),
        scores: pair.scores ?? null,
        link: pair.link ? linkRowOf(pair.link) : null,
      }),
    );
    batch = [];
    const staged = await store.stageAccounts(run.id, rows);
    for (const row of rows) {
      if (staged.has(row.seq) || quiet) continue;
      const { key } = row.account;
      problems.push(problem(key, 'duplicate_account_key', `the key "${key}" appears more than once`));
    }
    seq += rows.length;
    accounts += staged.size;
    deps.onProgress?.({ phase: 'reading', done: accounts, total: null });
  };
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
        else batch.push(account);
      }
      if (batch.length >= sliceSize) await stage();
    }
  } catch (error) {
    // Nothing read at all: the run fails with the connector's own sentence. A read that broke
    // off part-way is a read problem: what was read is planned, and nothing concluded from the rest.
    // The connector's sentence says what failed and what to do; this says on which system.
    const message = `${config.system.name}: ${error instanceof Error ? error.message : String(error)}`;
    if (pages === 0 && batch.length === 0 && accounts === 0) throw new Error(message, { cause: error });
    problems.push(
      problem(
        null,
        'read_failed',
        `the read stopped after ${accounts + batch.length} account(s): ${message}`,
      ),
    );
  }
  if (batch.length > 0) await stage();
  // A read with problems concludes nothing about absence (DESIGN "Desired state"): an object the
  // read missed may still be on the system. Otherwise the accounts of IDM objects written since
  // are read too (an account already read is no problem).
  const concluded =
    problems.length > 0
      ? null
      : await concludedIdm(run, ctx, request, keyed, read.basis, async (accounts) => {
          batch = accounts;
          await stage(true);
        });
  const shared = await store.sharedClaims(run.id);
  return { problems, watermark, accounts, slices: () => pairSlices(run, ctx, shared, concluded) };
}

/** The accounts of a batch that changed since a remembered no-op; the others' objects are seen. */
async function withoutUnchanged(run: RunView, ctx: PageContext, basis: string, accounts: Account[]) {
  const hashed = accounts.map((a) => ({ keyNorm: normalizeKey(a.key), accountHash: accountContentHash(a) }));
  const unchanged = await ctx.deps.store.unchangedAccounts(ctx.config.id, ctx.target, basis, hashed);
  if (unchanged.length === 0) return accounts;
  await ctx.deps.store.markSeen(
    run.id,
    unchanged.map((u) => u.idmObjectId),
  );
  const skip = new Set(unchanged.map((u) => u.keyNorm));
  return accounts.filter((_, i) => !skip.has((hashed[i] as { keyNorm: string }).keyNorm));
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
  ctx: PageContext,
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
  ctx: PageContext,
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
      return disputeSharedClaims({ account: s.account, idm, candidates, link, via: s.via, scores }, shared);
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
async function scoreDisputes(pairs: Correlation[], path: string, deps: RunDeps, options: PolicyCallOptions) {
  const disputed = pairs.filter((p) => p.account && !p.idm && p.candidates.length > 1);
  if (disputed.length === 0) return;
  const inputs = disputed.flatMap((p) =>
    p.candidates.map((c) => ({ account: p.account as Account, candidate: c.object })),
  );
  let scores: Awaited<ReturnType<typeof callPolicy<'matchingRule', 'score'>>>;
  try {
    scores = await callPolicy(deps.policies, path, 'matchingRule', 'score', inputs, options);
  } catch (error) {
    if (error instanceof PolicyError && error.info.kind === 'not_found') return;
    throw error;
  }
  let at = 0;
  for (const pair of disputed) {
    const mine = scores.slice(at, at + pair.candidates.length).map((r) => (r.ok ? r.value : Number.NaN));
    at += pair.candidates.length;
    pair.scores = Object.fromEntries(
      pair.candidates.map((c, i) => [c.object.id, Number.isFinite(mine[i]) ? (mine[i] as number) : null]),
    );
    const winner = pickByScore(pair.candidates, mine);
    if (winner) {
      pair.idm = winner;
      pair.candidates = [winner];
      pair.via = 'matchingRule';
    }
  }
}
