import { applyPlan, type BeforeBatch } from './apply-plan.ts';
import type { EngineDeps, RunView } from './engine-deps.ts';
import type { EngineConfig } from './recon-config.ts';
import { endRunCounts, failRun, type RunOutcome } from './run-engine.ts';

/**
 * An `apply` run (docs/api.md "Review and apply"): carries out exactly the planned actions copied from
 * the reviewed plan — no policy call, no correlation — each batch drift-checked by `beforeBatch`
 * before any of it is written. The same code resumes it after a crash: only actions still
 * `planned` are left.
 */
export async function executeApply(
  run: RunView,
  config: EngineConfig,
  deps: EngineDeps,
  beforeBatch: BeforeBatch,
): Promise<RunOutcome> {
  const started = Date.now();
  try {
    const target = { systemId: config.system.id, objectType: config.objectType };
    const { applied, failed } = await applyPlan(run.id, target, deps, null, beforeBatch);
    deps.onProgress?.({ phase: 'finishing', done: 0, total: null });
    // An approved action that was not carried out (changed since the plan) is an error here.
    const { counts, status, error } = await endRunCounts(run.id, deps.store, true);
    await deps.store.updateRun(run.id, {
      phase: 'finishing',
      counts,
      status,
      error,
      finished: true,
      throughput: (applied + failed) / Math.max((Date.now() - started) / 1000, 0.001),
    });
    return { outcome: status, counts };
  } catch (error) {
    return failRun(run, deps, error);
  }
}
