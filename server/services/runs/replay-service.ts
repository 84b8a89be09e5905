import { randomUUID } from 'node:crypto';
import type { Connector } from '../../core/connector-port.ts';
import type { Correlation } from '../../core/correlate.ts';
import type { RunStatus } from '../../core/model.ts';
import { createOutcomeComparison, type OutcomeDiff, outcomeOf } from '../../core/outcome-diff.ts';
import { executeRun } from '../../core/run-engine.ts';
import type { RunError } from '../../core/store-port.ts';
import type { Database } from '../../db/client.ts';
import type { ManagedSystemRow } from '../../db/schema/index.ts';
import type { Diagnostic } from '../../db/schema/policies.ts';
import { hasErrors } from '../../sandbox/compile/compile.ts';
import { checkPolicyPath } from '../../sandbox/compile/sources.ts';
import type { RunnableBuild } from '../../sandbox/execute.ts';
import type { PolicyService } from '../../sandbox/runner.ts';
import { compileUnsaved } from '../../sandbox/store.ts';
import { withEntitlementLists } from '../../store/entitlement-lists.ts';
import { loadEngineConfig } from '../../store/load-config.ts';
import { recordedConnector, replayStore } from '../../store/replay-store.ts';
import { readSnapshot, snapshotSize } from '../../store/run-snapshots.ts';
import { createRunStore } from '../../store/run-store.ts';
import { deleteRun, insertReplayRun, lastSnapshotRunUsing, previousRunOf, runRow } from '../../store/runs.ts';
import { type Invalid, invalid } from '../outcomes.ts';
import { diffRuns, type RunDiffOutcome } from './run-diff.ts';

/** How the replayed plan itself ended: as a run would have (a gate may hold it). */
export type ReplayStatus =
  | 'succeeded'
  | 'succeeded_with_errors'
  | 'stopped_by_threshold'
  | 'stopped_by_guard';

/** docs/api.md `POST /api/runs/:id/replay`: how a replay request ends. */
export type ReplayOutcome =
  | {
      outcome: 'replayed';
      runId: string;
      configId: string;
      status: ReplayStatus;
      error: RunError | null;
      /** The policy versions the replay used: the recorded run's, with the given ones in place. */
      policies: Array<{ path: string; hash: string }>;
      /** Decisions that failed in the replay (a policy that threw). */
      failed: number;
      diff: OutcomeDiff;
      durationMs: number;
    }
  | { outcome: 'run_not_found' }
  | { outcome: 'config_not_found' }
  /** The run kept no snapshot: not a full run, not one of its config's last few, or it ended without a plan. */
  | { outcome: 'no_snapshot'; status: RunStatus; mode: string }
  | { outcome: 'compile_failed'; path: string; diagnostics: Diagnostic[] }
  /** The replayed plan could not be made (a policy failed the run, the pre-processor aborted it). */
  | { outcome: 'replay_failed'; error: RunError }
  | Invalid;

export type ReplayRequest = {
  runId: string;
  /** New policy sources by path; paths the config does not use change nothing. */
  policies: Record<string, string>;
  /** Who asked (recorded on the scratch row only while the replay lasts). */
  by: string;
  /** Most changed objects listed (the counts cover all); default 500. */
  limit?: number;
};

export type ReplayServiceOptions = {
  db: Database;
  runner: PolicyService;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  openConnector: (system: ManagedSystemRow) => Connector;
};

const maxPolicies = 50;

async function compileAll(
  db: Database,
  policies: Record<string, string>,
): Promise<RunnableBuild[] | Extract<ReplayOutcome, { outcome: 'compile_failed' } | Invalid>> {
  const entries = Object.entries(policies);
  if (entries.length === 0) return invalid('policies', 'name at least one policy path with its new source');
  if (entries.length > maxPolicies) return invalid('policies', `at most ${maxPolicies} policies per replay`);
  const builds: RunnableBuild[] = [];
  for (const [path, source] of entries) {
    const problem = checkPolicyPath(path);
    if (problem) return invalid(`policies.${path}`, problem);
    const compiled = await compileUnsaved(db, path, source);
    if (hasErrors(compiled.diagnostics))
      return { outcome: 'compile_failed', path, diagnostics: compiled.diagnostics };
    if (!compiled.kind || !compiled.code || !compiled.sourceMap)
      return invalid(`policies.${path}`, 'is a helper module (no default export), not a policy');
    builds.push({
      path,
      hash: compiled.hash,
      kind: compiled.kind,
      code: compiled.code,
      sourceMap: compiled.sourceMap,
    });
  }
  return builds;
}

/**
 * Replays a recorded run with new policy versions (docs/api.md `POST /api/runs/:id/replay`): the real
 * engine plans a dry run of the run's config against the run's snapshot (the accounts it read),
 * the IDM as it is now and the run's own policy versions with the new ones in their place, and
 * every decision is compared with the one the run recorded. Nothing is written: no event, no
 * memo, no IDM or system write, no policy log; the scratch run row it stages under has no config
 * (so it blocks no run) and is deleted when the replay ends.
 */
export function createReplayService(options: ReplayServiceOptions) {
  const { db } = options;
  return {
    /**
     * The newest run that kept a snapshot and used the policy at `path` (the policy editor's
     * "Replay on the last run"), or null.
     */
    lastRunUsing: (path: string) => lastSnapshotRunUsing(db, path),

    /** The run of the same config made just before `runId` (what "what changed" compares with). */
    previousRun: (runId: string) => previousRunOf(db, runId),

    /** docs/api.md `GET /api/runs/:id/diff?against=` (run-diff.ts). */
    diff: (request: { runId: string; against: string; limit?: number }): Promise<RunDiffOutcome> =>
      diffRuns(db, request),

    async replay(request: ReplayRequest): Promise<ReplayOutcome> {
      const run = await runRow(db, request.runId);
      if (!run) return { outcome: 'run_not_found' };
      if (!run.configId) return { outcome: 'config_not_found' };
      if ((await snapshotSize(db, run.id)) === null)
        return { outcome: 'no_snapshot', status: run.status, mode: run.mode };
      const builds = await compileAll(db, request.policies);
      if (!Array.isArray(builds)) return builds;
      const loaded = await loadEngineConfig(db, run.configId);
      if (!loaded) return { outcome: 'config_not_found' };
      const started = Date.now();
      const comparison = createOutcomeComparison({ attributes: true, limit: request.limit ?? 500 });
      for await (const part of readSnapshot(db, run.id)) {
        for (const { account: _account, ...outcome } of part) comparison.before(outcome);
      }
      const scratchId = await insertReplayRun(db, request.by);
      // The replay stores no events, so its failed decisions are counted here.
      let failed = 0;
      const connector = recordedConnector(options.openConnector(loaded.system), () =>
        readSnapshot(db, run.id),
      );
      try {
        const recordedAt = run.startedAt ?? run.createdAt;
        const outcome = await executeRun(
          { id: scratchId, configId: loaded.config.id, dryRun: true, mode: 'full', policies: run.policies },
          loaded.config,
          null,
          {
            store: replayStore(withEntitlementLists(createRunStore(db), db, loaded.config)),
            connector,
            policies: options.runner.replaying(builds),
            // Decisions that read the clock (stale days) see the time the run was made.
            now: () => recordedAt,
            newId: randomUUID,
            log: options.log,
            recorder: {
              async slice(pairs, events) {
                events.forEach((event, i) => {
                  if (event.outcome === 'failed') failed++;
                  comparison.after(outcomeOf(pairs[i] as Correlation, event));
                });
              },
            },
          },
        );
        switch (outcome.outcome) {
          case 'failed':
          case 'cancelled':
            return { outcome: 'replay_failed', error: outcome.error };
          case 'aborted_by_preprocessor':
            return {
              outcome: 'replay_failed',
              error: { code: 'aborted_by_preprocessor', message: outcome.reason },
            };
          default: {
            const row = await runRow(db, scratchId);
            const withErrors = outcome.outcome === 'succeeded' && failed > 0;
            return {
              outcome: 'replayed',
              runId: run.id,
              configId: run.configId,
              status: withErrors ? 'succeeded_with_errors' : outcome.outcome,
              error:
                'error' in outcome
                  ? outcome.error
                  : withErrors
                    ? {
                        code: 'event_errors',
                        message: `${failed} decision(s) failed; see the changed objects`,
                      }
                    : null,
              failed,
              policies: row?.policies ?? [],
              diff: comparison.finish(),
              durationMs: Date.now() - started,
            };
          }
        }
      } finally {
        await connector.close().catch(() => {});
        await deleteRun(db, scratchId);
      }
    },
  };
}

export type ReplayService = ReturnType<typeof createReplayService>;
