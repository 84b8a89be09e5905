import { eq, type SQL, sql } from 'drizzle-orm';
import type { PlannedEvent } from '../core/plan.ts';
import type { IdmEntry } from '../core/recon-config.ts';
import type { AppliedEntry, JournalEntry, RunCounts, RunStore, RunUpdate } from '../core/store-port.ts';
import type { Database } from '../db/client.ts';
import { type RunRow, runs } from '../db/schema/index.ts';
import { applyStatements, flipStatement } from './apply-sql.ts';
import { createCorrelationStore } from './correlation-store.ts';
import { copyEvents } from './event-inserts.ts';
import { type IdmRow, idmColumns, idmEntryOf, json, listParam } from './rows.ts';

/** Rows per bulk statement or page: large enough to amortise a round trip, small enough for one parameter. */
const insertChunk = 5000;

async function inTransaction(db: Database, statements: SQL[]) {
  await db.orm.transaction(async (tx) => {
    for (const statement of statements) await tx.execute(statement);
  });
}

/** The engine's storage port over PGlite or PostgreSQL, with bulk SQL on every hot path. */
export function createRunStore(db: Database): RunStore {
  return {
    ...createCorrelationStore(db),

    async loadIdmObjects(ids) {
      const entries: IdmEntry[] = [];
      for (let at = 0; at < ids.length; at += insertChunk) {
        const found = await db.rows<IdmRow>(
          sql`select ${idmColumns} from idm_objects o where o.id = any(${listParam(ids.slice(at, at + insertChunk))})`,
        );
        for (const row of found) entries.push(idmEntryOf(row));
      }
      return entries;
    },

    async insertEvents(runId, events: PlannedEvent[]) {
      await copyEvents(db, runId, events);
    },

    async deleteEvents(runId) {
      await db.rows(sql`delete from run_events where run_id = ${runId}`);
    },

    async plannedEntries(runId, side, afterSeq, limit) {
      const rows = await db.rows<{ seq: number; action: JournalEntry['action'] | string }>(sql`
        select seq, action from run_events
        where run_id = ${runId} and outcome = 'planned' and seq > ${afterSeq} and (action ? 'system') = ${side === 'system'}
        order by seq limit ${limit}`);
      return rows.map((r) => ({ seq: Number(r.seq), action: json(r.action) ?? {} }));
    },

    async applyBatch(runId, target, entries: AppliedEntry[]) {
      try {
        await inTransaction(db, applyStatements(runId, target, entries));
      } catch {
        // One bad action must not sink its batch: apply each alone, and record the one that fails.
        for (const entry of entries) {
          try {
            await inTransaction(db, applyStatements(runId, target, [entry]));
          } catch (error) {
            const message =
              error instanceof Error
                ? error.cause instanceof Error
                  ? error.cause.message
                  : error.message
                : String(error);
            await db.rows(
              flipStatement(runId, [
                { ...entry, outcome: 'failed', error: { code: 'idm_write_failed', message } },
              ]),
            );
          }
        }
      }
    },

    async outcomeCounts(runId) {
      const rows = await db.rows<{
        response: string | null;
        outcome: string;
        writes: boolean;
        n: number;
      }>(sql`
        select response, outcome, coalesce(action ? 'idm' or action ? 'system' or action ? 'entitlements', false) as writes,
          count(*)::int as n
        from run_events where run_id = ${runId} and outcome in ('applied', 'skipped', 'failed')
        group by 1, 2, 3`);
      const counts = { applied: {} as Record<string, number>, linked: 0, skipped: 0, errors: 0 };
      for (const row of rows) {
        const n = Number(row.n);
        if (row.outcome === 'failed') counts.errors += n;
        else if (row.outcome === 'skipped') counts.skipped += n;
        else if (!row.writes) counts.linked += n;
        else if (row.response) counts.applied[row.response] = (counts.applied[row.response] ?? 0) + n;
      }
      return counts;
    },

    async finishingState(runId) {
      const [row] = await db.orm
        .select({ counts: runs.counts, watermarkAfter: runs.watermarkAfter, vars: runs.vars })
        .from(runs)
        .where(eq(runs.id, runId));
      if (!row) throw new Error(`run ${runId} does not exist`);
      return { counts: row.counts as RunCounts, watermarkAfter: row.watermarkAfter, vars: row.vars ?? {} };
    },

    async updateRun(runId, update: RunUpdate) {
      const { finished, ...fields } = update;
      await db.orm
        .update(runs)
        .set({ ...fields, heartbeatAt: new Date(), ...(finished ? { finishedAt: new Date() } : {}) })
        .where(eq(runs.id, runId));
    },

    async cancelRequest(runId) {
      const [row] = await db.orm
        .select({ at: runs.cancelRequestedAt, by: runs.cancelledBy })
        .from(runs)
        .where(eq(runs.id, runId));
      return row?.at ? { by: row.by } : null;
    },

    async advanceWatermark(configId, value, runId) {
      await db.rows(sql`
        insert into watermarks (config_id, value, run_id, updated_at) values (${configId}, ${value}, ${runId}, now())
        on conflict (config_id) do update set value = excluded.value, run_id = excluded.run_id, updated_at = now()`);
    },
  };
}

/** Where a cancel request left a run (docs/api.md `POST /api/runs/:id/cancel`). */
export type CancelRequested =
  | { found: true; status: RunRow['status']; cancelRequestedAt: Date; cancelledBy: string | null }
  /** The run had ended already: nothing was stored. */
  | { found: true; ended: RunRow['status'] }
  | { found: false };

/**
 * Stores a cancel request in one statement, so it races with nothing: a queued run (nothing of
 * it started) ends `cancelled` at once; a running one keeps running until its executor sees the
 * request at the next batch boundary (`cancelRequest` above). The first request's author is kept.
 * A run that has ended is left alone and its status returned.
 */
export async function requestCancel(db: Database, runId: string, by: string): Promise<CancelRequested> {
  const message = `cancelled by ${by} before it started`;
  const [updated] = await db.rows<{ status: RunRow['status']; at: Date | string; by: string | null }>(sql`
    update runs set
      status = case when status = 'queued' then 'cancelled' else status end,
      finished_at = case when status = 'queued' then now() else finished_at end,
      error = case when status = 'queued'
        then jsonb_build_object('code', 'cancelled', 'message', ${message}::text) else error end,
      cancel_requested_at = coalesce(cancel_requested_at, now()),
      cancelled_by = coalesce(cancelled_by, ${by}::text)
    where id = ${runId} and status in ('queued', 'running')
    returning status, cancel_requested_at as at, cancelled_by as by`);
  if (updated) {
    const cancelRequestedAt = new Date(updated.at);
    return { found: true, status: updated.status, cancelRequestedAt, cancelledBy: updated.by };
  }
  const [row] = await db.orm.select({ status: runs.status }).from(runs).where(eq(runs.id, runId));
  return row ? { found: true, ended: row.status } : { found: false };
}
