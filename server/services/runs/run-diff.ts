import { sql } from 'drizzle-orm';
import type { AttributeDiff } from '../../core/attribute-sync.ts';
import { createOutcomeComparison, type DecidedOutcome, type OutcomeDiff } from '../../core/outcome-diff.ts';
import type { Database } from '../../db/client.ts';
import { readSnapshot, snapshotSize } from '../../store/run-snapshots.ts';
import { runRow } from '../../store/runs.ts';

/**
 * What a side of a run diff was read from: the run's snapshot (every decision, no-ops included),
 * or its stored events (only what the run kept: a config that does not keep DO_NOTHING events
 * leaves its no-ops out, so an object may look new or gone).
 */
export type DiffBasis = 'snapshot' | 'events';

/** docs/api.md `GET /api/runs/:id/diff?against=`: how a diff request ends. */
export type RunDiffOutcome =
  | {
      outcome: 'diffed';
      runId: string;
      against: string;
      configId: string;
      basis: { run: DiffBasis; against: DiffBasis };
      diff: OutcomeDiff;
    }
  | { outcome: 'run_not_found'; runId: string }
  | { outcome: 'different_configs'; runConfigId: string | null; againstConfigId: string | null };

const pageSize = 5000;

async function* eventOutcomes(db: Database, runId: string): AsyncGenerator<DecidedOutcome[]> {
  for (let after = -1; ; ) {
    const rows = await db.rows<{
      seq: number;
      object_key: string | null;
      idm_object_id: string | null;
      idm_version: number | null;
      situation: string | null;
      response: string | null;
      diff: AttributeDiff | null;
      error: string | null;
    }>(sql`
      select seq, object_key, idm_object_id, idm_version, situation, response, diff, error->>'code' as error
      from run_events where run_id = ${runId} and seq > ${after} and situation is not null
      order by seq limit ${pageSize}`);
    if (rows.length === 0) return;
    after = Number(rows[rows.length - 1]?.seq);
    yield rows.map((r) => ({
      objectKey: r.object_key,
      idmObjectId: r.idm_object_id,
      idmVersion: r.idm_version === null ? null : Number(r.idm_version),
      situation: r.situation,
      response: r.response,
      diff: r.diff,
      error: r.error,
    }));
  }
}

async function* outcomesOf(db: Database, runId: string, basis: DiffBasis): AsyncGenerator<DecidedOutcome[]> {
  if (basis === 'events') {
    yield* eventOutcomes(db, runId);
    return;
  }
  for await (const part of readSnapshot(db, runId)) yield part.map(({ account: _account, ...o }) => o);
}

/**
 * The objects whose situation or response differ between two runs of a config, and the objects
 * only one of them decided (new and gone), from `against` to `runId`. Each side is read from its
 * snapshot where it kept one, else from its events.
 */
export async function diffRuns(
  db: Database,
  request: { runId: string; against: string; limit?: number },
): Promise<RunDiffOutcome> {
  const run = await runRow(db, request.runId);
  const against = await runRow(db, request.against);
  if (!run) return { outcome: 'run_not_found', runId: request.runId };
  if (!against) return { outcome: 'run_not_found', runId: request.against };
  if (!run.configId || run.configId !== against.configId)
    return { outcome: 'different_configs', runConfigId: run.configId, againstConfigId: against.configId };
  const basisOf = async (id: string): Promise<DiffBasis> =>
    (await snapshotSize(db, id)) === null ? 'events' : 'snapshot';
  const basis = { run: await basisOf(run.id), against: await basisOf(against.id) };
  const comparison = createOutcomeComparison({ attributes: false, limit: request.limit ?? 500 });
  for await (const page of outcomesOf(db, against.id, basis.against))
    for (const o of page) comparison.before(o);
  for await (const page of outcomesOf(db, run.id, basis.run)) for (const o of page) comparison.after(o);
  return {
    outcome: 'diffed',
    runId: run.id,
    against: against.id,
    configId: run.configId,
    basis,
    diff: comparison.finish(),
  };
}
