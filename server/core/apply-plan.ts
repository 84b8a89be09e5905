import { stopIfCancelled } from './cancel-run.ts';
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
 * DESIGN step 8: carries out every action still `planned`, batch by batch. For each batch the
 * system side goes first (connector writes are idempotent), then one transaction writes the IDM
 * side and flips the batch's events. A crash between the two repeats only the connector writes of
 * one batch — harmless — and never applies an IDM action twice or loses one.
 *
 * Actions that touch only the IDM go in one pass, those that write to the system in another with
 * larger batches: a file-based system (CSV) rewrites its whole file once per batch, so fewer,
 * larger batches are what keeps it fast. Each object has one event, so no two batches share an
 * action or an object: the two passes run side by side (one mostly waits on the database, the
 * other on the system), and the IDM pass keeps two batches in flight so that the database works
 * on two at once; a batch that writes memberships runs alone (see applyPass). A failing batch
 * stops every pass before its next batch; what committed stays applied, the rest stays planned
 * for a resume.
 */
export async function applyPlan(
  runId: string,
  target: ApplyTarget,
  deps: EngineDeps,
  total: number | null,
  beforeBatch?: BeforeBatch,
) {
  const run: ApplyRun = { runId, target, deps, total, beforeBatch, done: 0, failed: 0, errors: [] };
  const batchSize = deps.batchSize ?? 2000;
  await Promise.all([
    applyPass(run, { side: 'idm', batchSize, lanes: 2 }),
    applyPass(run, { side: 'system', batchSize: batchSize * 10, lanes: 1 }),
  ]);
  if (run.errors.length > 0) throw run.errors[0];
  return { applied: run.done - run.failed, failed: run.failed };
}

/**
 * Called with each batch before any of it is written (an approved plan's drift check): the
 * entries it returns are `skipped` with their error and written nowhere. Called one batch at a
 * time per side, in plan order.
 */
export type BeforeBatch = (side: 'idm' | 'system', batch: JournalEntry[]) => Promise<Map<number, EventError>>;

/** One apply, as every batch sees it: counts for progress and the result, and what failed. */
type ApplyRun = {
  runId: string;
  target: ApplyTarget;
  deps: EngineDeps;
  total: number | null;
  beforeBatch: BeforeBatch | undefined;
  done: number;
  failed: number;
  errors: unknown[];
};

type Pass = { side: 'idm' | 'system'; batchSize: number; lanes: number };

/** Reads the pass's planned entries a batch at a time and writes up to `lanes` batches at once. */
async function applyPass(run: ApplyRun, pass: Pass) {
  const inFlight = new Set<Promise<void>>();
  let afterSeq = -1;
  while (run.errors.length === 0) {
    const batch = await failSafe(run, async () => {
      // A cancel stops every pass here, between batches; the batches in flight finish first.
      await stopIfCancelled(run.deps.store, run.runId);
      return run.deps.store.plannedEntries(run.runId, pass.side, afterSeq, pass.batchSize);
    });
    if (!batch || batch.length === 0) break;
    afterSeq = batch[batch.length - 1]?.seq ?? afterSeq;
    const drifted = await failSafe(run, async () =>
      run.beforeBatch ? run.beforeBatch(pass.side, batch) : new Map<number, EventError>(),
    );
    if (!drifted) break;
    // Memberships resolve through the links that earlier batches wrote: such a batch runs alone.
    const alone = batch.some((e) => e.action.entitlements);
    if (alone) await Promise.all(inFlight);
    const writing: Promise<void> = failSafe(run, () => applyBatch(run, batch, drifted)).then(() => {
      inFlight.delete(writing);
    });
    inFlight.add(writing);
    if (alone) await writing;
    else if (inFlight.size >= pass.lanes) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
}

/** Runs `step`; a failure is recorded for applyPlan to throw, and halts every pass. */
async function failSafe<T>(run: ApplyRun, step: () => Promise<T>): Promise<T | undefined> {
  try {
    return await step();
  } catch (error) {
    run.errors.push(error);
    return undefined;
  }
}

async function applyBatch(run: ApplyRun, batch: JournalEntry[], drifted: Map<number, EventError>) {
  const { deps } = run;
  const systemResults = await writeToSystem(
    deps,
    batch.filter((e) => !drifted.has(e.seq)),
  );
  const applied: AppliedEntry[] = batch.map((entry) => {
    const skipped = drifted.get(entry.seq);
    if (skipped) return { ...entry, outcome: 'skipped', error: skipped };
    const result = systemResults.get(entry.seq);
    if (result && !result.ok) {
      run.failed++;
      const error: EventError = { code: 'system_write_failed', message: result.message };
      return { ...entry, outcome: 'failed', error };
    }
    return { ...entry, outcome: 'applied', error: null };
  });
  await deps.store.applyBatch(run.runId, run.target, applied);
  run.done += batch.length;
  deps.onProgress?.({ phase: 'applying', done: run.done, total: run.total });
}
