import type { WriteResult } from './connector-port.ts';
import type { EngineDeps } from './engine-deps.ts';
import type { EventError } from './plan.ts';
import type { AppliedEntry, ApplyTarget, JournalEntry } from './store-port.ts';

async function writeToSystem(deps: EngineDeps, batch: JournalEntry[]): Promise<Map<number, WriteResult>> {
  const withOps = batch.filter((e) => e.action.system);
  const results = new Map<number, WriteResult>();
  if (withOps.length === 0) return results;
  let written: WriteResult[];
  try {
    written = await deps.connector.write(
      withOps.map((e) => e.action.system as NonNullable<typeof e.action.system>),
    );
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    written = withOps.map(() => ({ ok: false, message }));
  }
  withOps.forEach((entry, i) => {
    results.set(entry.seq, written[i] ?? { ok: false, message: 'the connector returned no result' });
  });
  return results;
}

/**
 * DESIGN step 8: carries out every action still `planned`, batch by batch, in plan order. For
 * each batch the system side goes first (connector writes are idempotent), then one transaction
 * writes the IDM side and flips the batch's events. A crash between the two repeats only the
 * connector writes of one batch — harmless — and never applies an IDM action twice or loses one.
 *
 * Actions that touch only the IDM go in a first pass, those that write to the system in a second
 * with larger batches: a file-based system (CSV) rewrites its whole file once per batch, so fewer,
 * larger batches are what keeps it fast. Each object has one event, so the order between passes
 * does not matter.
 */
export async function applyPlan(
  runId: string,
  target: ApplyTarget,
  deps: EngineDeps,
  total: number | null,
  beforeBatch?: BeforeBatch,
) {
  const counters = { done: 0, failed: 0 };
  const batchSize = deps.batchSize ?? 2000;
  await applyPass(runId, target, deps, 'idm', batchSize, total, counters, beforeBatch);
  await applyPass(runId, target, deps, 'system', batchSize * 10, total, counters, beforeBatch);
  return { applied: counters.done - counters.failed, failed: counters.failed };
}

/**
 * Called with each batch before any of it is written (an approved plan's drift check): the
 * entries it returns are `skipped` with their error and written nowhere.
 */
export type BeforeBatch = (side: 'idm' | 'system', batch: JournalEntry[]) => Promise<Map<number, EventError>>;

async function applyPass(
  runId: string,
  target: ApplyTarget,
  deps: EngineDeps,
  side: 'idm' | 'system',
  batchSize: number,
  total: number | null,
  counters: { done: number; failed: number },
  beforeBatch: BeforeBatch | undefined,
) {
  let afterSeq = -1;
  for (;;) {
    const batch = await deps.store.plannedEntries(runId, side, afterSeq, batchSize);
    if (batch.length === 0) break;
    const drifted = beforeBatch ? await beforeBatch(side, batch) : new Map<number, EventError>();
    const systemResults = await writeToSystem(
      deps,
      batch.filter((e) => !drifted.has(e.seq)),
    );
    const applied: AppliedEntry[] = batch.map((entry) => {
      const skipped = drifted.get(entry.seq);
      if (skipped) return { ...entry, outcome: 'skipped', error: skipped };
      const result = systemResults.get(entry.seq);
      if (result && !result.ok) {
        counters.failed++;
        const error: EventError = { code: 'system_write_failed', message: result.message };
        return { ...entry, outcome: 'failed', error };
      }
      return { ...entry, outcome: 'applied', error: null };
    });
    await deps.store.applyBatch(runId, target, applied);
    afterSeq = batch[batch.length - 1]?.seq ?? afterSeq;
    counters.done += batch.length;
    deps.onProgress?.({ phase: 'applying', done: counters.done, total });
  }
}
