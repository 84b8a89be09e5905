import { applyPlan } from './apply-plan.ts';
import { callPolicyOnce, openRunPolicies } from './call-policy.ts';
import { endCancelled, RunCancelled, stopIfCancelled } from './cancel-run.ts';
import { correlateRun } from './correlate-run.ts';
import { decideSlice, memoBasis, settledEvent, settledOutcome } from './decision-memo.ts';
import type { EngineDeps, RunDeps, RunView } from './engine-deps.ts';
import { checkDeletionThreshold } from './gates.ts';
import { isDeletionAction, type PlannedEvent } from './plan.ts';
import type { PolicyCallOptions, Vars } from './policy-port.ts';
import { PolicyError } from './policy-port.ts';
import { postProcess, type RunNotify } from './post-process.ts';
import type { EngineConfig } from './recon-config.ts';
import { sliceSize } from './run-slices.ts';
import { checkSourceGuard, guardMessage, type ReadProblemSummary } from './source-guard.ts';
import type { IdmScope, RunCounts, RunError } from './store-port.ts';

/** How a run ended (docs/conventions.md item 2): the CLI and the API map it to exit codes and statuses. */
export type RunOutcome = (
  | { outcome: 'succeeded'; counts: RunCounts }
  | { outcome: 'succeeded_with_errors'; counts: RunCounts }
  | { outcome: 'failed'; error: RunError }
  | { outcome: 'stopped_by_threshold'; error: RunError; counts: RunCounts }
  | { outcome: 'stopped_by_guard'; error: RunError; counts: RunCounts }
  | { outcome: 'aborted_by_preprocessor'; reason: string }
  | { outcome: 'cancelled'; error: RunError }
) & { notify?: RunNotify };

const emptyCounts = (): RunCounts => ({ situations: {}, responses: {}, errors: 0 });

function countEvent(counts: RunCounts, event: PlannedEvent) {
  if (event.situation) counts.situations[event.situation] = (counts.situations[event.situation] ?? 0) + 1;
  if (event.response) counts.responses[event.response] = (counts.responses[event.response] ?? 0) + 1;
  if (event.outcome === 'unchanged') counts.unchanged = (counts.unchanged ?? 0) + 1;
  if (event.outcome === 'failed') counts.errors++;
}

/**
 * DO_NOTHING and unchanged events are kept only for the config's do-nothing report; problems
 * always.
 */
const keepEvent = (config: EngineConfig, event: PlannedEvent) =>
  (event.outcome !== 'recorded' && event.outcome !== 'unchanged') ||
  event.error !== null ||
  config.sendDoNothingReport;

async function idmScopeOf(
  config: EngineConfig,
  deps: RunDeps,
  vars: Vars,
  options: PolicyCallOptions,
): Promise<IdmScope> {
  if (!config.idmQueryPolicy) {
    return config.idmSearchFilter ? { kind: 'filter', filter: config.idmSearchFilter } : { kind: 'all' };
  }
  const filter = await callPolicyOnce(
    deps.policies,
    config.idmQueryPolicy,
    'idmQuery',
    'default',
    {
      searchFilter: config.idmSearchFilter,
      objectType: config.objectType,
      system: config.system,
      vars,
    },
    options,
  );
  return filter === null ? { kind: 'none' } : { kind: 'filter', filter };
}

/** DESIGN steps 2–7: pre-processor, queries, correlation, decisions; the plan is stored as events. */
async function planRun(run: RunView, config: EngineConfig, watermark: string | null, deps: RunDeps) {
  const now = deps.now();
  const options: PolicyCallOptions = { now: now.getTime() };
  const { store } = deps;
  let vars: Vars = {};
  if (config.preProcessorPolicy) {
    const pre = await callPolicyOnce(
      deps.policies,
      config.preProcessorPolicy,
      'preProcessor',
      'default',
      {
        configId: config.id,
        objectType: config.objectType,
        mode: run.mode,
        dryRun: run.dryRun,
        system: config.system,
      },
      options,
    );
    if (pre.abort) return { aborted: pre.abort } as const;
    vars = pre.vars ?? {};
    await store.updateRun(run.id, { vars });
  }
  const effectiveWatermark = run.mode === 'incremental' ? (watermark ?? config.updatedSince) : null;
  const query = config.targetQueryPolicy
    ? await callPolicyOnce(
        deps.policies,
        config.targetQueryPolicy,
        'targetQuery',
        'default',
        {
          searchFilter: config.targetSearchFilter,
          updatedSince: config.updatedSince,
          watermark: effectiveWatermark,
          attributes: config.policyMap,
          system: config.system,
          vars,
        },
        options,
      )
    : undefined;
  const scope = await idmScopeOf(config, deps, vars, options);
  const request = {
    ...(query ? { query } : {}),
    searchFilter: config.targetSearchFilter,
    watermark: effectiveWatermark,
    attributes: config.policyMap.length > 0 ? config.policyMap : null,
  };
  const { watermark: _watermark, ...readRequest } = request;
  await store.updateRun(run.id, {
    phase: 'reading',
    watermarkBefore: watermark,
    readRequest,
    configSnapshot: config,
  });
  const basis = await memoBasis(config, deps, vars);
  const correlated = await correlateRun(run, config, deps, { request, scope, basis }, options);
  await store.updateRun(run.id, { phase: 'planning' });
  const counts = emptyCounts();
  let deletions = 0;
  let planned = 0;
  let considered = 0;
  const problems = correlated.problems.map((p, i) => ({ ...p, seq: i }));
  for (const p of problems) countEvent(counts, p);
  await store.insertEvents(run.id, problems);
  const isDisabled = deps.connector.isDisabled?.bind(deps.connector);
  const keyAsRead = deps.connector.keyAsRead?.bind(deps.connector);
  const ctx = {
    config,
    now,
    newId: deps.newId,
    ...(isDisabled ? { isDisabled } : {}),
    ...(keyAsRead ? { keyAsRead } : {}),
  };
  for await (const slice of correlated.slices()) {
    await stopIfCancelled(store, run.id);
    const events = await decideSlice(slice, problems.length + considered, basis, ctx, deps, vars, options);
    considered += slice.length;
    await deps.recorder?.slice(slice, events);
    const kept: PlannedEvent[] = [];
    for (const event of events) {
      countEvent(counts, event);
      if (event.outcome === 'planned') planned++;
      if (isDeletionAction(event.action)) deletions++;
      if (keepEvent(config, event)) kept.push(event);
    }
    await store.insertEvents(run.id, kept);
    deps.onProgress?.({ phase: 'planning', done: considered, total: null });
  }
  considered += await countSettled(run, counts, deps);
  await store.clearStage(run.id, { keepAccounts: run.mode === 'full' });
  await store.updateRun(run.id, {
    counts,
    phase: 'gating',
    watermarkAfter: correlated.watermark ?? watermark,
  });
  return {
    counts,
    deletions,
    planned,
    accounts: correlated.accounts,
    problems: correlated.problems.map((p) => ({ key: p.objectKey, message: p.error?.message ?? '' })),
    considered,
    watermark: correlated.watermark,
    vars,
  };
}

/**
 * The pairs settled in the stage (a remembered no-op still holds): counted in SQL, by situation
 * and response, and never read back, unless the run records its pairs (a snapshot, a replay).
 * Their events are no-ops, which a run keeps only for a do-nothing report (never memoised). An
 * incremental run counts only what changed: its settled pairs are not even correlated, as far as
 * its counts say.
 */
async function countSettled(run: RunView, counts: RunCounts, deps: RunDeps): Promise<number> {
  if (run.mode === 'incremental') return 0;
  let settled = 0;
  for (const { situation, response, count } of await deps.store.settledCounts(run.id)) {
    counts.situations[situation] = (counts.situations[situation] ?? 0) + count;
    counts.responses[response] = (counts.responses[response] ?? 0) + count;
    if (settledOutcome(response) === 'unchanged') counts.unchanged = (counts.unchanged ?? 0) + count;
    settled += count;
  }
  const { recorder } = deps;
  if (!recorder || settled === 0) return settled;
  for (let after = -1; ; ) {
    await stopIfCancelled(deps.store, run.id);
    const slice = await deps.store.settledSlice(run.id, after, sliceSize);
    if (slice.length === 0) break;
    after = (slice.at(-1) as { seq: number }).seq;
    // A settled pair's IDM side is named by its event (object and version): the recorders read that.
    const pairs = slice.map((s) => ({
      account: s.account,
      idm: null,
      candidates: [],
      link: null,
      via: 'link' as const,
    }));
    await recorder.slice(pairs, slice.map(settledEvent));
  }
  return settled;
}

function errorOf(error: unknown): RunError {
  if (error instanceof PolicyError)
    return { code: 'policy_error', message: error.message, details: error.info };
  return { code: 'run_failed', message: error instanceof Error ? error.message : String(error) };
}

/**
 * One run of a config, DESIGN steps 2–9. Every expected ending is a RunOutcome; the run row
 * records it. A surprise (storage down) also ends the run as `failed`, with its message.
 */
export async function executeRun(
  run: RunView & { policies?: Array<{ path: string; hash: string }> | null },
  config: EngineConfig,
  watermark: string | null,
  engineDeps: EngineDeps,
): Promise<RunOutcome> {
  const started = Date.now();
  return inRunFrame(run, config, engineDeps, async (deps, settled) => {
    const plan = await planRun(run, config, watermark, deps);
    if ('aborted' in plan) {
      await deps.store.updateRun(run.id, {
        status: 'aborted_by_preprocessor',
        error: { code: 'aborted_by_preprocessor', message: plan.aborted ?? '' },
        finished: true,
      });
      return { outcome: 'aborted_by_preprocessor', reason: plan.aborted ?? '' };
    }
    settled.vars = plan.vars;
    deps.onProgress?.({ phase: 'gating', done: 0, total: plan.planned });
    // Review: the source guard, before the deletion gate; a stopped run keeps its plan (hashed).
    const guarded = await guardRun(run, config, deps, plan, started);
    if (guarded) return guarded;
    const gate = checkDeletionThreshold(plan.deletions, plan.considered, config.deletionThreshold);
    if (gate.outcome === 'threshold_exceeded') {
      const unit = gate.limit.kind === 'count' ? '' : '%';
      const error: RunError = {
        code: 'deletion_threshold',
        message: `the plan deletes ${gate.deletions} of ${gate.total} objects, over the ${gate.limit.kind} limit of ${gate.limit.value}${unit}; nothing was written`,
        details: gate,
      };
      await deps.review?.sealPlan(run.id);
      await deps.store.updateRun(run.id, {
        status: 'stopped_by_threshold',
        error,
        finished: true,
        throughput: throughput(plan.considered, started),
      });
      return { outcome: 'stopped_by_threshold', error, counts: plan.counts };
    }
    if (run.dryRun) await deps.review?.sealPlan(run.id);
    else {
      await deps.store.updateRun(run.id, { phase: 'applying' });
      await applyPlan(
        run.id,
        { systemId: config.system.id, objectType: config.objectType },
        engineDeps,
        plan.planned,
      );
    }
    return finishRun(run, config, deps, plan.considered, started);
  });
}

/** docs/api.md "Runs": a full run that read too few accounts stops before any write. */
async function guardRun(
  run: RunView,
  config: EngineConfig,
  deps: Pick<EngineDeps, 'store' | 'review'>,
  plan: { accounts: number; considered: number; counts: RunCounts; problems: ReadProblemSummary[] },
  started: number,
): Promise<RunOutcome | null> {
  const baseline =
    run.mode === 'full' && config.sourceGuard?.maxDropPercent !== undefined
      ? ((await deps.review?.previousAccounts(config.id)) ?? null)
      : null;
  const guard = checkSourceGuard(
    config.sourceGuard ?? null,
    run.mode,
    plan.accounts,
    baseline,
    plan.problems,
  );
  if (guard.outcome === 'passed') return null;
  const error: RunError = { code: 'source_guard', message: guardMessage(guard), details: guard };
  await deps.review?.sealPlan(run.id);
  await deps.store.updateRun(run.id, {
    status: 'stopped_by_guard',
    error,
    finished: true,
    throughput: throughput(plan.considered, started),
  });
  return { outcome: 'stopped_by_guard', error, counts: plan.counts };
}

function throughput(objects: number, started: number) {
  return objects / Math.max((Date.now() - started) / 1000, 0.001);
}

export async function failRun(run: RunView, deps: EngineDeps, error: unknown): Promise<RunOutcome> {
  if (error instanceof RunCancelled) return endCancelled(run, deps, error);
  const runError = errorOf(error);
  deps.log.warn({ runId: run.id, error: runError }, 'run failed');
  // A run that failed while planning leaves no stage behind (a resumed one rebuilds its own).
  await deps.store
    .clearStage(run.id)
    .catch((cause) =>
      deps.log.warn({ runId: run.id, error: String(cause) }, 'clearing the run stage failed'),
    );
  await deps.store.updateRun(run.id, { status: 'failed', error: runError, finished: true });
  return { outcome: 'failed', error: runError };
}

/**
 * The counts a run ends with (what planning decided, and what came of each action) and its status.
 * A run with failed events, or an apply run that skipped approved actions (`skippedIsError`),
 * never ends as plain `succeeded`: it is `succeeded_with_errors`, with a run-level error saying so.
 */
export async function endRunCounts(
  runId: string,
  store: EngineDeps['store'],
  skippedIsError = false,
): Promise<{ counts: RunCounts; status: 'succeeded' | 'succeeded_with_errors'; error: RunError | null }> {
  const current = await store.finishingState(runId);
  const counts: RunCounts = { ...current.counts, ...(await store.outcomeCounts(runId)) };
  const skipped = skippedIsError ? (counts.skipped ?? 0) : 0;
  if (counts.errors === 0 && skipped === 0) return { counts, status: 'succeeded', error: null };
  const parts = [
    counts.errors > 0 ? `${counts.errors} failed` : '',
    skipped > 0 ? `${skipped} approved action(s) skipped (changed since the plan was made, or refused)` : '',
  ].filter(Boolean);
  return {
    counts,
    status: 'succeeded_with_errors',
    error: {
      code: 'event_errors',
      message: `the run ended with errors: ${parts.join(', ')}; see its events`,
      details: { failed: counts.errors, skipped },
    },
  };
}

/** DESIGN step 9: final counts, watermark (only after a successful, non-dry run); see post-process.ts. */
async function finishRun(
  run: RunView,
  config: EngineConfig,
  deps: RunDeps,
  considered: number | null,
  started: number,
): Promise<RunOutcome> {
  deps.onProgress?.({ phase: 'finishing', done: 0, total: null });
  const { store } = deps;
  const { counts, status, error } = await endRunCounts(run.id, store);
  const { watermarkAfter } = await store.finishingState(run.id);
  await store.updateRun(run.id, { phase: 'finishing', counts });
  // A failed action is read again by the next incremental run only if the watermark stays.
  if (!run.dryRun && watermarkAfter && status === 'succeeded')
    await store.advanceWatermark(config.id, watermarkAfter, run.id);
  const objects = considered ?? Object.values(counts.situations).reduce((a, b) => a + b, 0);
  await store.updateRun(run.id, { status, error, finished: true, throughput: throughput(objects, started) });
  return { outcome: status, counts };
}

/**
 * Continues a run a crash left `running`. Once the plan was gated, exactly the actions still
 * `planned` are applied; before that nothing was written, so the plan is made again.
 */
export async function resumeRun(
  run: RunView & { phase: string | null; policies?: Array<{ path: string; hash: string }> | null },
  config: EngineConfig,
  watermark: string | null,
  engineDeps: EngineDeps,
): Promise<RunOutcome> {
  if (run.dryRun || (run.phase !== 'applying' && run.phase !== 'finishing')) {
    await engineDeps.store.deleteEvents(run.id);
    return executeRun(run, config, watermark, engineDeps);
  }
  const started = Date.now();
  return inRunFrame(run, config, engineDeps, async (deps, settled) => {
    if (run.phase === 'applying') {
      await applyPlan(
        run.id,
        { systemId: config.system.id, objectType: config.objectType },
        engineDeps,
        null,
      );
    }
    const current = await deps.store.finishingState(run.id);
    // The run's vars are what its pre-processor returned, checked as JSON data when it did.
    settled.vars = current.vars as Vars;
    return finishRun(run, config, deps, null, started);
  });
}

/**
 * What every run goes through: its own policies opened for it and finished after it; every
 * ending, a surprise (storage down) included as `failed`, through the post-processor
 * (post-process.ts) with the vars the run settled on.
 */
async function inRunFrame(
  run: RunView & { policies?: Array<{ path: string; hash: string }> | null },
  config: EngineConfig,
  engineDeps: EngineDeps,
  body: (deps: RunDeps, settled: { vars: Vars }) => Promise<RunOutcome>,
): Promise<RunOutcome> {
  let policies: Awaited<ReturnType<typeof openRunPolicies>> | undefined;
  const settled: { vars: Vars } = { vars: {} };
  const ended = async (outcome: RunOutcome): Promise<RunOutcome> => ({
    ...outcome,
    notify: await postProcess(run, config, policies?.deps ?? engineDeps, outcome, settled.vars),
  });
  try {
    policies = await openRunPolicies(run, config, engineDeps, engineDeps.now().getTime());
    return await ended(await body(policies.deps, settled));
  } catch (error) {
    return ended(await failRun(run, engineDeps, error));
  } finally {
    await policies?.finish();
  }
}
