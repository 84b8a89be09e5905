import { and, desc, eq, gte, lt, ne, or, type SQL, sql } from 'drizzle-orm';
import type { RunMode, RunStatus } from '../core/model.ts';
import type { RunCounts } from '../core/store-port.ts';
import type { Database } from '../db/client.ts';
import { type RunRow, runs } from '../db/schema/runs.ts';

/** A run as surfaces show it (docs/api.md "Routes"). */
export type RunSummary = {
  id: string;
  configId: string | null;
  status: RunStatus;
  dryRun: boolean;
  mode: RunMode;
  trigger: RunRow['trigger'];
  /** Review (docs/api.md "Review and apply"): a dry run's or held plan's hash; an apply run's origin and approver. */
  planHash: string | null;
  appliedFrom: string | null;
  approvedBy: string | null;
  undoOf: string | null;
  /** The token name, `cli` or `schedule` that started the run. */
  startedBy: string | null;
  keys: string[] | null;
  phase: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  counts: RunCounts;
  /** Objects per second over the run. */
  throughput: number | null;
  error?: { code: string; message: string; details?: unknown };
  /** The policy versions the run uses, fixed when it started. */
  policies: Array<{ path: string; hash: string }>;
  /** When someone asked to cancel the run, and who (docs/api.md `POST /api/runs/:id/cancel`). */
  cancelRequestedAt: string | null;
  cancelledBy: string | null;
  createdAt: string;
};

export function toRunSummary(row: RunRow): RunSummary {
  return {
    id: row.id,
    configId: row.configId,
    status: row.status,
    dryRun: row.dryRun,
    mode: row.mode,
    trigger: row.trigger,
    planHash: row.planHash,
    appliedFrom: row.appliedFrom,
    approvedBy: row.approvedBy,
    undoOf: row.undoOf,
    startedBy: row.startedBy,
    keys: row.keys ?? null,
    phase: row.phase,
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
    durationMs: row.startedAt && row.finishedAt ? row.finishedAt.getTime() - row.startedAt.getTime() : null,
    counts: {
      ...row.counts,
      situations: row.counts?.situations ?? {},
      responses: row.counts?.responses ?? {},
      errors: row.counts?.errors ?? 0,
    },
    throughput: row.throughput,
    ...(row.error ? { error: row.error } : {}),
    policies: row.policies ?? [],
    cancelRequestedAt: row.cancelRequestedAt?.toISOString() ?? null,
    cancelledBy: row.cancelledBy,
    createdAt: row.createdAt.toISOString(),
  };
}

/** Where the previous page ended: the last run's creation time (exact, as PostgreSQL text) and id. */
export type RunCursor = { at: string; id: string };

export type RunFilter = {
  configId?: string;
  status?: RunStatus;
  from?: Date;
  to?: Date;
  after?: RunCursor;
  limit: number;
};

/** Runs newest first, one page; `next` is where the following page starts, or null. */
export async function listRuns(
  db: Database,
  filter: RunFilter,
): Promise<{ items: RunSummary[]; next: RunCursor | null }> {
  // A replay's scratch row is not a run of the history (services/runs/replay-service.ts).
  const conditions: SQL[] = [ne(runs.trigger, 'replay')];
  if (filter.configId) conditions.push(eq(runs.configId, filter.configId));
  if (filter.status) conditions.push(eq(runs.status, filter.status));
  if (filter.from) conditions.push(gte(runs.createdAt, filter.from));
  if (filter.to) conditions.push(lt(runs.createdAt, filter.to));
  if (filter.after) {
    const at = sql`${filter.after.at}::timestamptz`;
    conditions.push(or(lt(runs.createdAt, at), and(eq(runs.createdAt, at), lt(runs.id, filter.after.id)))!);
  }
  const rows = await db.orm
    .select({ run: runs, at: sql<string>`${runs.createdAt}::text` })
    .from(runs)
    .where(and(...conditions))
    .orderBy(desc(runs.createdAt), desc(runs.id))
    .limit(filter.limit + 1);
  const page = rows.slice(0, filter.limit);
  const last = page.at(-1);
  return {
    items: page.map((r) => toRunSummary(r.run)),
    next: rows.length > filter.limit && last ? { at: last.at, id: last.run.id } : null,
  };
}

export async function getRun(db: Database, id: string): Promise<RunSummary | null> {
  const [row] = await db.orm.select().from(runs).where(eq(runs.id, id)).limit(1);
  return row ? toRunSummary(row) : null;
}
