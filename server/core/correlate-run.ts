import { callPolicy } from './call-policy.ts';
import type { Page, SearchRequest } from './connector-port.ts';
import {
  buildCorrelationIndex,
  type Correlation,
  type CorrelationIndex,
  correlateAccount,
  disputeSharedClaims,
  pickByScore,
  uncorrelatedIdmObjects,
} from './correlate.ts';
import type { RunDeps, RunView } from './engine-deps.ts';
import { loadLinkedIdmSide, loadWholeIdmSide } from './idm-side.ts';
import { readKeyedAccounts } from './keys-run.ts';
import type { Account } from './model.ts';
import { keysOfValue, normalizeKey } from './normalize-key.ts';
import type { PlannedEvent } from './plan.ts';
import type { PolicyCallOptions } from './policy-port.ts';
import { type EngineConfig, type IdmEntry, reconKeyIdmAttribute } from './recon-config.ts';
import type { IdmScope } from './store-port.ts';

export type CorrelatedRun = {
  pairs: Correlation[];
  /** Rows the connector could not read and duplicate keys: failed events without a pair. */
  problems: Array<Omit<PlannedEvent, 'seq'>>;
  watermark: string | null;
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

async function readAll(pages: AsyncIterable<Page>): Promise<Page[]> {
  const all: Page[] = [];
  for await (const page of pages) all.push(page);
  return all;
}

async function ruleKeys(deps: RunDeps, path: string, entries: IdmEntry[], options: PolicyCallOptions) {
  const results = await callPolicy(
    deps.policies,
    path,
    'matchingRule',
    'idmKeys',
    entries.map((e) => e.object),
    options,
  );
  return results.map((r) => (r.ok ? r.value.flatMap((k) => keysOfValue(k)) : []));
}

/**
 * DESIGN steps 3–5: streams the system's accounts page by page and correlates each with the IDM
 * objects in scope — links first, then the recon key, then the matching rule (which may score
 * several candidates). Then finds the IDM objects no account correlated with (full runs only).
 */
export async function correlateRun(
  run: RunView,
  config: EngineConfig,
  deps: RunDeps,
  request: SearchRequest,
  scope: IdmScope,
  options: PolicyCallOptions,
): Promise<CorrelatedRun> {
  const target = { systemId: config.system.id, objectType: config.objectType };
  const linkRows = await deps.store.loadLinkRows(target);
  // An incremental run reads its (few) changed accounts first: if all are linked, the IDM side
  // it needs is just their linked objects.
  const changed = run.mode === 'incremental' ? await readAll(deps.connector.search(request)) : null;
  // A keys run reads its accounts by key, and concludes only about the IDM objects they name. A
  // live run is a keys run over its changed objects (its connector answers from the changes).
  const keyed =
    run.mode === 'keys' || run.mode === 'live'
      ? await readKeyedAccounts(run.keys ?? [], config, deps, request, linkRows)
      : null;
  const { entries, links } =
    (changed && (await loadLinkedIdmSide(deps.store, linkRows, changed))) ??
    (await loadWholeIdmSide(deps.store, config.objectType, scope, linkRows));
  const reconAttribute = reconKeyIdmAttribute(config);
  const sourceAttribute = config.sourceAttributeName;
  const reconIndex = buildCorrelationIndex(
    entries,
    entries.map((e) => (reconAttribute ? keysOfValue(e.object.attributes[reconAttribute]) : [])),
    links,
  );
  const rulePath = config.matchingPolicy;
  const ruleIndex: CorrelationIndex | null = rulePath
    ? buildCorrelationIndex(entries, await ruleKeys(deps, rulePath, entries, options), links)
    : null;

  const pairs: Correlation[] = [];
  const problems: CorrelatedRun['problems'] = [];
  const seenKeys = new Set<string>();
  let watermark: string | null = null;
  for await (const page of changed ?? keyed?.pages ?? deps.connector.search(request)) {
    for (const p of page.problems) {
      const where = p.line && !p.message.includes(`line ${p.line}`) ? `line ${p.line}: ` : '';
      problems.push(problem(p.key ?? null, 'read_problem', `${where}${p.message}`));
    }
    if (page.watermark) watermark = page.watermark;
    const accounts: Account[] = [];
    for (const account of page.accounts) {
      const key = normalizeKey(account.key);
      if (key === '') problems.push(problem(null, 'missing_key', 'an account has no unique field key'));
      else if (seenKeys.has(key)) {
        problems.push(
          problem(account.key, 'duplicate_account_key', `the key "${account.key}" appears more than once`),
        );
      } else {
        seenKeys.add(key);
        accounts.push(account);
      }
    }
    const unmatched: number[] = [];
    accounts.forEach((account, i) => {
      const keys = sourceAttribute ? keysOfValue(account.attributes[sourceAttribute]) : [];
      const pair = correlateAccount(account, keys, reconIndex, 'reconKey');
      if (!pair.link && pair.candidates.length === 0) unmatched.push(i);
      pairs.push(pair);
    });
    if (rulePath && ruleIndex && unmatched.length > 0) {
      const inputs = unmatched.map((i) => accounts[i] as Account);
      const keys = await callPolicy(deps.policies, rulePath, 'matchingRule', 'accountKeys', inputs, options);
      const base = pairs.length - accounts.length;
      unmatched.forEach((i, j) => {
        const result = keys[j];
        const accountKeys = result?.ok ? result.value.flatMap((k) => keysOfValue(k)) : [];
        pairs[base + i] = correlateAccount(accounts[i] as Account, accountKeys, ruleIndex, 'matchingRule');
      });
    }
    deps.onProgress?.({ phase: 'reading', done: pairs.length, total: null });
  }
  if (rulePath) await scoreDisputes(pairs, rulePath, deps, options);
  disputeSharedClaims(pairs);
  const concluded = keyed ? entries.filter((e) => keyed.idmIds.has(e.object.id)) : entries;
  if (scope.kind !== 'none') pairs.push(...uncorrelatedIdmObjects(concluded, pairs, reconIndex, run.mode));
  return { pairs, problems, watermark };
}

/** Asks the matching rule's `score` to choose among several candidates; a tie stays DISPUTED. */
async function scoreDisputes(pairs: Correlation[], path: string, deps: RunDeps, options: PolicyCallOptions) {
  const disputed = pairs.filter((p) => p.account && !p.idm && p.candidates.length > 1);
  if (disputed.length === 0) return;
  const inputs = disputed.flatMap((p) =>
    p.candidates.map((c) => ({ account: p.account as Account, candidate: c.object })),
  );
  const scores = await callPolicy(deps.policies, path, 'matchingRule', 'score', inputs, options);
  let at = 0;
  for (const pair of disputed) {
    const mine = scores.slice(at, at + pair.candidates.length).map((r) => (r.ok ? r.value : Number.NaN));
    at += pair.candidates.length;
    const winner = pickByScore(pair.candidates, mine);
    if (winner) {
      pair.idm = winner;
      pair.candidates = [winner];
      pair.via = 'matchingRule';
    }
  }
}
