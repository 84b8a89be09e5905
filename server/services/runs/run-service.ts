import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { defaultRunStaleMs } from '../../config.ts';
import { executeApply } from '../../core/apply-reviewed-plan.ts';
import type { Connector } from '../../core/connector-port.ts';
import type { RunMode } from '../../core/model.ts';
import type { PolicyRunner } from '../../core/policy-port.ts';
import type { EngineConfig } from '../../core/recon-config.ts';
import { executeRun, type RunOutcome, resumeRun } from '../../core/run-engine.ts';
import type { Database } from '../../db/client.ts';
import type { ManagedSystemRow } from '../../db/schema/index.ts';
import { withEntitlementLists } from '../../store/entitlement-lists.ts';
import { loadEngineConfig } from '../../store/load-config.ts';
import { createApplyRun, createDriftCheck, createReviewHooks } from '../../store/review-store.ts';
import { createSnapshotRecorder, settleSnapshot } from '../../store/run-snapshots.ts';
import { createRunStore } from '../../store/run-store.ts';
import {
  beat,
  claimRun,
  insertRun,
  pruneRuns,
  readRequestOf,
  runningRuns,
  runStatus,
  watermarkOf,
} from '../../store/runs.ts';
import type {
  ConnectorDecorator,
  RunFinished,
  RunProgress,
  RunService,
  StartApplyRequest,
  StartRunOutcome,
  StartRunRequest,
} from './types.ts';

export type RunServiceOptions = {
  db: Database;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  policies: PolicyRunner | null;
  /** Builds the connector of a managed system (decrypting its secrets). */
  openConnector: (system: ManagedSystemRow) => Connector;
  retentionDays: number;
  now?: () => Date;
  batchSize?: number;
  /** A run whose heartbeat is older than this is taken over (its server died); default 60 s. */
  staleMs?: number;
  /** How many of a config's last full runs keep their snapshot for replays (default 3; 0: none). */
  snapshotRuns?: number;
};

/** Outcomes of a run that ended with a plan (applied, reviewed or held): its snapshot is kept. */
const plannedOutcomes = new Set<RunOutcome['outcome']>([
  'succeeded',
  'succeeded_with_errors',
  'stopped_by_threshold',
  'stopped_by_guard',
]);

/** Who executes a run: a run whose owner process is gone was interrupted. */
const me = `${hostname()}:${process.pid}`;

/**
 * A run of another host is orphaned once its heartbeat is stale; one of this host as soon as its
 * owner process is gone (a restart after kill -9 resumes it at once).
 */
function ownerIsGone(owner: string | null, heartbeatAt: Date | null, staleMs: number): boolean {
  const [host, pidText] = (owner ?? '').split(':');
  if (host !== hostname()) return !heartbeatAt || Date.now() - heartbeatAt.getTime() > staleMs;
  const pid = Number(pidText);
  if (!pid || pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** A run for keys is a keys run, unless it is a live run (whose keys are its changed objects). */
const runModeOf = (request: StartRunRequest): RunMode =>
  request.mode === 'live' ? 'live' : request.keys ? 'keys' : request.mode;

/** Runs reconciliations in the background, one per config at a time (the runs table enforces it). */
export function createRunService(
  options: RunServiceOptions,
): RunService & { outcome(runId: string): RunOutcome | undefined } {
  const { db } = options;
  const store = createRunStore(db);
  const review = createReviewHooks(db);
  const inFlight = new Map<string, Promise<RunOutcome | null>>();
  const outcomes = new Map<string, RunOutcome>();
  const progressOf = new Map<string, RunProgress>();
  const listeners = new Set<(finished: RunFinished) => void | Promise<void>>();
  const decorators = new Map<RunMode, ConnectorDecorator>();
  const staleMs = options.staleMs ?? defaultRunStaleMs;
  // Beat well inside the staleness window, so only a dead server's runs look stale.
  const heartbeatMs = Math.max(200, Math.min(5_000, Math.floor(staleMs / 4)));

  async function tellFinished(finished: RunFinished) {
    for (const listener of listeners) {
      try {
        await listener(finished);
      } catch (error) {
        options.log.warn({ runId: finished.runId, error: String(error) }, 'a run-finished listener failed');
      }
    }
  }

  function launch(run: Omit<RunFinished, 'outcome'>, work: () => Promise<RunOutcome>) {
    const { runId } = run;
    const timer = setInterval(() => {
      beat(db, runId).catch(() => {});
    }, heartbeatMs);
    timer.unref();
    const done = work()
      .then(async (outcome) => {
        outcomes.set(runId, outcome);
        options.log.info({ runId, outcome: outcome.outcome }, `run ${runId} ended: ${outcome.outcome}`);
        await tellFinished({ ...run, outcome });
        return outcome;
      })
      .catch((error) => {
        options.log.warn({ runId, error: String(error) }, 'run crashed');
        return null;
      })
      .finally(() => {
        clearInterval(timer);
        inFlight.delete(runId);
        progressOf.delete(runId);
      });
    inFlight.set(runId, done);
  }

  async function withEngine(
    runId: string,
    mode: RunMode,
    configId: string,
    onProgress: ((p: RunProgress) => void) | undefined,
    body: (args: {
      deps: Parameters<typeof executeRun>[3];
      loaded: NonNullable<Awaited<ReturnType<typeof loadEngineConfig>>>;
      watermark: string | null;
    }) => Promise<RunOutcome>,
  ): Promise<RunOutcome> {
    const loaded = await loadEngineConfig(db, configId);
    if (!loaded) {
      const error = {
        code: 'config_not_found',
        message: `reconciliation config ${configId} no longer exists`,
      };
      await store.updateRun(runId, { status: 'failed', error, finished: true });
      return { outcome: 'failed', error };
    }
    let connector: Connector;
    try {
      connector = options.openConnector(loaded.system);
      const decorate = decorators.get(mode);
      if (decorate) connector = decorate(configId, connector);
    } catch (cause) {
      const error = {
        code: 'connector_error',
        message: cause instanceof Error ? cause.message : String(cause),
      };
      await store.updateRun(runId, { status: 'failed', error, finished: true });
      return { outcome: 'failed', error };
    }
    try {
      const deps = {
        store: withEntitlementLists(store, db, loaded.config),
        connector,
        policies: options.policies,
        now: options.now ?? (() => new Date()),
        newId: randomUUID,
        log: options.log,
        review,
        ...(options.batchSize ? { batchSize: options.batchSize } : {}),
        onProgress: (p: { phase: RunProgress['phase']; done: number; total: number | null }) => {
          const progress = { runId, ...p };
          progressOf.set(runId, progress);
          onProgress?.(progress);
        },
      };
      // A live run leaves the watermark alone: polling advances it with the changes it stores.
      return await body({
        deps,
        loaded,
        watermark: mode === 'live' ? null : await watermarkOf(db, configId),
      });
    } finally {
      await connector.close().catch(() => {});
    }
  }

  /**
   * The drift check reads accounts as planning did: under the plan's own query (its target query
   * policy's output), search filter and attributes, which the apply run carries from the plan.
   */
  async function driftCheckOf(runId: string, connector: Connector, config: EngineConfig) {
    const request = (await readRequestOf(db, runId)) ?? {
      attributes: config.policyMap.length > 0 ? config.policyMap : null,
      searchFilter: config.targetSearchFilter,
    };
    return createDriftCheck(db, runId, connector, request);
  }

  /**
   * A full run records its snapshot as it decides (docs/api.md `POST /api/runs/:id/replay`); the last
   * `snapshotRuns` full runs of the config that ended with a plan keep theirs.
   */
  async function executeRecorded(
    view: Parameters<typeof executeRun>[0],
    config: EngineConfig,
    watermark: string | null,
    deps: Parameters<typeof executeRun>[3],
  ): Promise<RunOutcome> {
    const keep = options.snapshotRuns ?? 3;
    if (view.mode !== 'full' || keep === 0) return executeRun(view, config, watermark, deps);
    const run = { id: view.id, configId: view.configId };
    const recorder = createSnapshotRecorder(db, run);
    const outcome = await executeRun(view, config, watermark, { ...deps, recorder });
    await settleSnapshot(db, run, plannedOutcomes.has(outcome.outcome), keep).catch((error) =>
      options.log.warn({ runId: view.id, error: String(error) }, 'keeping the run snapshot failed'),
    );
    return outcome;
  }

  return {
    async start(request: StartRunRequest, onProgress) {
      const loaded = await loadEngineConfig(db, request.configId);
      if (!loaded) return { outcome: 'config_not_found' };
      if (loaded.row.status !== 'active') return { outcome: 'config_inactive' };
      await pruneRuns(db, options.retentionDays);
      const inserted = await insertRun(db, {
        configId: request.configId,
        dryRun: request.dryRun,
        mode: runModeOf(request),
        keys: request.keys ?? null,
        trigger: request.trigger,
        startedBy: request.startedBy ?? null,
        owner: me,
        // The tick of a scheduled run (docs/api.md `scheduledFor`): one run per config and tick.
        ...(request.scheduledFor ? { scheduledFor: request.scheduledFor } : {}),
      });
      if (!inserted.inserted)
        return { outcome: 'already_running', runId: inserted.activeRunId } satisfies StartRunOutcome;
      const { runId } = inserted;
      const view = {
        id: runId,
        configId: request.configId,
        dryRun: request.dryRun,
        mode: runModeOf(request),
        keys: request.keys ?? null,
      };
      launch({ runId, configId: request.configId, trigger: request.trigger, dryRun: request.dryRun }, () =>
        withEngine(runId, view.mode, request.configId, onProgress, ({ deps, loaded: l, watermark }) =>
          executeRecorded(view, l.config, watermark, deps),
        ),
      );
      return { outcome: 'started', runId };
    },

    async startApply(request: StartApplyRequest, onProgress) {
      const created = await createApplyRun(db, { ...request, owner: me });
      if (created.outcome !== 'created') return created;
      const { runId } = created;
      const view = {
        id: runId,
        configId: request.configId,
        dryRun: false,
        mode: request.mode,
        keys: request.keys,
      };
      launch({ runId, configId: request.configId, trigger: 'apply', dryRun: false }, () =>
        withEngine(runId, view.mode, request.configId, onProgress, async ({ deps, loaded }) =>
          executeApply(view, loaded.config, deps, await driftCheckOf(runId, deps.connector, loaded.config)),
        ),
      );
      return { outcome: 'started', runId };
    },

    async wait(runId) {
      const local = inFlight.get(runId);
      if (local) return local;
      const known = outcomes.get(runId);
      if (known) return known;
      // A run of another process: poll its row until it ends (its outcome is that process's).
      for (;;) {
        const status = await runStatus(db, runId);
        if (status !== 'queued' && status !== 'running') return null;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },

    async resumeInterrupted(onProgress?: (progress: RunProgress) => void) {
      const candidates = await runningRuns(db);
      const resumed: string[] = [];
      for (const run of candidates) {
        if (inFlight.has(run.id) || !run.configId || !ownerIsGone(run.owner, run.heartbeatAt, staleMs))
          continue;
        if (!(await claimRun(db, run, me))) continue;
        const configId = run.configId;
        // A resumed run records no snapshot: what its first attempt recorded is incomplete.
        await settleSnapshot(db, { id: run.id, configId }, false, 0);
        const view = {
          id: run.id,
          configId,
          dryRun: run.dryRun,
          mode: run.mode,
          phase: run.phase,
          keys: run.keys ?? null,
          policies: run.policies,
        };
        options.log.info({ runId: run.id, phase: run.phase }, `resuming interrupted run ${run.id}`);
        launch({ runId: run.id, configId, trigger: run.trigger, dryRun: run.dryRun }, () =>
          withEngine(run.id, run.mode, configId, onProgress, async ({ deps, loaded, watermark }) =>
            // An approved plan is never recomputed: its apply run goes on with its own journal.
            run.trigger === 'apply'
              ? executeApply(
                  view,
                  loaded.config,
                  deps,
                  await driftCheckOf(run.id, deps.connector, loaded.config),
                )
              : resumeRun(view, loaded.config, watermark, deps),
          ),
        );
        resumed.push(run.id);
      }
      return resumed;
    },

    onRunFinished(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    decorateConnector(mode, decorate) {
      decorators.set(mode, decorate);
    },

    async drain() {
      await Promise.all([...inFlight.values()]);
    },

    progress: (runId) => progressOf.get(runId),

    outcome: (runId) => outcomes.get(runId),
  };
}
