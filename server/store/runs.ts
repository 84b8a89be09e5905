import { and, eq, inArray, lt, notInArray, sql } from 'drizzle-orm';
import type { LookupRequest } from '../core/connector-port.ts';
import type { Database } from '../db/client.ts';
import { isUniqueViolation } from '../db/pg-errors.ts';
import { type RunRow, runs, watermarks } from '../db/schema/index.ts';

/**
 * A run row's life outside the engine: insert (one active run per config, one per schedule
 * tick), heartbeat, claim by a server taking an interrupted run over, and prune. The engine's
 * own updates go through run-store.ts.
 */
export type NewRun = Pick<RunRow, 'configId' | 'dryRun' | 'mode' | 'keys' | 'trigger'> & {
  startedBy: string | null;
  owner: string;
  scheduledFor?: Date;
};

/** Inserts a running run; when the config has an active run already, that run's id instead. */
export async function insertRun(
  db: Database,
  run: NewRun,
): Promise<{ inserted: true; runId: string } | { inserted: false; activeRunId: string }> {
  const now = new Date();
  try {
    const [row] = await db.orm
      .insert(runs)
      .values({ ...run, status: 'running', startedAt: now, heartbeatAt: now })
      .returning({ id: runs.id });
    return { inserted: true, runId: (row as { id: string }).id };
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return { inserted: false, activeRunId: (await activeRunOf(db, run.configId as string)) ?? '' };
  }
}

/** The queued or running run of a config (at most one: `runs_one_active_per_config`). */
export async function activeRunOf(db: Database, configId: string): Promise<string | null> {
  const [active] = await db.orm
    .select({ id: runs.id })
    .from(runs)
    .where(and(eq(runs.configId, configId), inArray(runs.status, ['queued', 'running'])))
    .limit(1);
  return active?.id ?? null;
}

export async function runRow(db: Database, runId: string): Promise<RunRow | null> {
  const [row] = await db.orm.select().from(runs).where(eq(runs.id, runId));
  return row ?? null;
}

/** The apply run of a plan, if it was applied. */
export async function appliedBy(db: Database, planRunId: string): Promise<string | null> {
  const [row] = await db.orm.select({ id: runs.id }).from(runs).where(eq(runs.appliedFrom, planRunId));
  return row?.id ?? null;
}

/** Whether the run's config or system changed after the run was made (null: the config is gone). */
export async function configChangedSince(db: Database, runId: string): Promise<boolean | null> {
  const [row] = await db.rows<{ changed: boolean }>(sql`
    select (c.updated_at > r.created_at or s.updated_at > r.created_at) as changed
    from runs r join recon_configs c on c.id = r.config_id join managed_systems s on s.id = c.system_id
    where r.id = ${runId}`);
  return row ? row.changed : null;
}

/** Records a schedule tick skipped because a run was still going; null when a server took the tick. */
export async function insertSkippedTick(
  db: Database,
  tick: { configId: string; at: Date; runningRunId: string | null },
): Promise<string | null> {
  const { configId, at, runningRunId } = tick;
  const now = new Date();
  const [skipped] = await db.orm
    .insert(runs)
    .values({
      configId,
      trigger: 'schedule',
      startedBy: 'schedule',
      status: 'skipped',
      scheduledFor: at,
      startedAt: now,
      finishedAt: now,
      error: {
        code: 'already_running',
        message: runningRunId
          ? `the previous run ${runningRunId} was still going at ${at.toISOString()}`
          : `the previous run was still going at ${at.toISOString()}`,
        ...(runningRunId ? { details: { runId: runningRunId } } : {}),
      },
    })
    .onConflictDoNothing()
    .returning({ id: runs.id });
  return skipped?.id ?? null;
}

/** The run (or skipped record) of a config's schedule tick. */
export async function runOfTick(db: Database, configId: string, tick: Date): Promise<string | null> {
  const [row] = await db.orm
    .select({ id: runs.id })
    .from(runs)
    .where(and(eq(runs.configId, configId), eq(runs.scheduledFor, tick)));
  return row?.id ?? null;
}

export async function beat(db: Database, runId: string): Promise<void> {
  await db.orm.update(runs).set({ heartbeatAt: new Date() }).where(eq(runs.id, runId));
}

/** Forgets ended runs older than the retention (their events go with them). */
export async function pruneRuns(db: Database, retentionDays: number): Promise<void> {
  const cutoff = new Date(Date.now() - retentionDays * 86_400_000);
  await db.orm
    .delete(runs)
    .where(and(lt(runs.createdAt, cutoff), notInArray(runs.status, ['queued', 'running'])));
}

export const runningRuns = (db: Database): Promise<RunRow[]> =>
  db.orm.select().from(runs).where(eq(runs.status, 'running'));

/**
 * Compare-and-set on the owner: of several servers taking an interrupted run over, one does.
 * True when this one did.
 */
export async function claimRun(
  db: Database,
  run: Pick<RunRow, 'id' | 'owner'>,
  me: string,
): Promise<boolean> {
  const claimed = await db.rows<{ id: string }>(sql`
    update runs set owner = ${me}, heartbeat_at = now()
    where id = ${run.id} and status = 'running' and owner is not distinct from ${run.owner} returning id`);
  return claimed.length > 0;
}

export async function runStatus(db: Database, runId: string): Promise<RunRow['status'] | null> {
  const [row] = await db.orm.select({ status: runs.status }).from(runs).where(eq(runs.id, runId));
  return row?.status ?? null;
}

/** What a run read under (an apply run carries its plan's), or null for a run before it was kept. */
export async function readRequestOf(db: Database, runId: string): Promise<LookupRequest | null> {
  const [row] = await db.orm.select({ readRequest: runs.readRequest }).from(runs).where(eq(runs.id, runId));
  return row?.readRequest ?? null;
}

export async function watermarkOf(db: Database, configId: string): Promise<string | null> {
  const [mark] = await db.orm.select().from(watermarks).where(eq(watermarks.configId, configId));
  return mark?.value ?? null;
}

/**
 * The scratch row a replay runs under (no config: it is listed nowhere); those a crash left
 * behind, and what they staged, go after a day.
 */
export async function insertReplayRun(db: Database, by: string | null): Promise<string> {
  await db.rows(sql`delete from runs where trigger = 'replay' and created_at < now() - interval '1 day'`);
  const [row] = await db.orm
    .insert(runs)
    .values({
      configId: null,
      dryRun: true,
      mode: 'full',
      trigger: 'replay',
      status: 'running',
      startedAt: new Date(),
      startedBy: by,
    })
    .returning({ id: runs.id });
  return (row as { id: string }).id;
}

export async function deleteRun(db: Database, runId: string): Promise<void> {
  await db.orm.delete(runs).where(eq(runs.id, runId));
}

/** The newest run that kept a snapshot and used the policy at `path`. */
export async function lastSnapshotRunUsing(
  db: Database,
  path: string,
): Promise<{ runId: string; configId: string } | null> {
  const [row] = await db.rows<{ id: string; config_id: string }>(sql`
    select r.id, r.config_id from runs r
    where r.policies @> ${JSON.stringify([{ path }])}::jsonb
      and exists (select 1 from run_snapshots s where s.run_id = r.id)
    order by r.created_at desc, r.id desc limit 1`);
  return row ? { runId: row.id, configId: row.config_id } : null;
}

/** The run of the same config made just before `runId`. */
export async function previousRunOf(db: Database, runId: string): Promise<string | null> {
  const [row] = await db.rows<{ id: string }>(sql`
    select p.id from runs r join runs p on p.config_id = r.config_id
    where r.id = ${runId} and (p.created_at, p.id) < (r.created_at, r.id)
    order by p.created_at desc, p.id desc limit 1`);
  return row?.id ?? null;
}
