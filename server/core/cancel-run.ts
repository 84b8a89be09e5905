import type { EngineDeps, RunView } from './engine-deps.ts';
import type { RunError, RunStore } from './store-port.ts';

/**
 * A cancel request seen at a batch or slice boundary (docs/api.md `POST /api/runs/:id/cancel`). It
 * unwinds the run like an error, past every loop, to `failRun`, which ends the run `cancelled`.
 * Thrown only between two batches, so no batch is ever half written.
 */
export class RunCancelled extends Error {
  override name = 'RunCancelled';
  readonly by: string | null;
  constructor(by: string | null) {
    super(`cancelled${by ? ` by ${by}` : ''}; what was applied before stays applied and journaled`);
    this.by = by;
  }
}

/**
 * The one check, at each boundary: the request is read from storage, so a run stops whichever
 * server asked, and a run taken over from a dead server still stops. It first lets this process
 * answer the requests waiting on it: the embedded database runs in this thread, and batch after
 * batch chained by promises alone would keep every request (a cancel among them) waiting until
 * the run ends.
 */
export async function stopIfCancelled(store: Pick<RunStore, 'cancelRequest'>, runId: string) {
  await new Promise((resolve) => setImmediate(resolve));
  const request = await store.cancelRequest(runId);
  if (request) throw new RunCancelled(request.by);
}

/** Ends a run that saw a cancel request: status `cancelled`, its applied events kept as they are. */
export async function endCancelled(
  run: RunView,
  deps: Pick<EngineDeps, 'store' | 'log'>,
  cancel: RunCancelled,
): Promise<{ outcome: 'cancelled'; error: RunError }> {
  const error: RunError = { code: 'cancelled', message: cancel.message };
  deps.log.info({ runId: run.id, by: cancel.by }, 'run cancelled');
  // A run cancelled while planning leaves no stage behind.
  await deps.store
    .clearStage(run.id)
    .catch((cause) =>
      deps.log.warn({ runId: run.id, error: String(cause) }, 'clearing the run stage failed'),
    );
  const current = await deps.store.finishingState(run.id);
  const counts = { ...current.counts, ...(await deps.store.outcomeCounts(run.id)) };
  await deps.store.updateRun(run.id, { status: 'cancelled', error, counts, finished: true });
  return { outcome: 'cancelled', error };
}
