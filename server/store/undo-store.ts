import { sql } from 'drizzle-orm';
import type { AttributeDiff } from '../core/attribute-sync.ts';
import type { LookupRequest } from '../core/connector-port.ts';
import type { IdmStatus, RunMode, RunStatus, RunTrigger } from '../core/model.ts';
import type { BeforeImage, PlannedAction, PlannedEvent } from '../core/plan.ts';
import { createPlanHasher } from '../core/plan-hash.ts';
import type { RunCounts } from '../core/store-port.ts';
import type { AppliedRecord, CurrentObjects } from '../core/undo-plan.ts';
import type { Database } from '../db/client.ts';
import { eventInserts } from './event-inserts.ts';
import { json, listParam } from './rows.ts';

/** The run an undo is asked for, and whether an undo of it was applied already. */
export type UndoSubject = {
  id: string;
  configId: string | null;
  status: RunStatus;
  dryRun: boolean;
  trigger: RunTrigger;
  mode: RunMode;
  finishedAt: Date | null;
  readRequest: LookupRequest | null;
  /** The apply run of an undo plan of this run, if one was applied. */
  undoneBy: string | null;
};

export async function undoSubject(db: Database, runId: string): Promise<UndoSubject | null> {
  const [row] = await db.rows<{
    id: string;
    config_id: string | null;
    status: RunStatus;
    dry_run: boolean;
    trigger: RunTrigger;
    mode: RunMode;
    finished_at: string | Date | null;
    read_request: LookupRequest | string | null;
    undone_by: string | null;
  }>(sql`
    select r.id, r.config_id, r.status, r.dry_run, r.trigger, r.mode, r.finished_at, r.read_request,
      (select a.id from runs u join runs a on a.applied_from = u.id where u.undo_of = r.id limit 1) as undone_by
    from runs r where r.id = ${runId}`);
  if (!row) return null;
  return {
    id: row.id,
    configId: row.config_id,
    status: row.status,
    dryRun: row.dry_run,
    trigger: row.trigger,
    mode: row.mode,
    finishedAt: row.finished_at === null ? null : new Date(row.finished_at),
    readRequest: json(row.read_request),
    undoneBy: row.undone_by,
  };
}

/** The run's applied events after `afterSeq`, in plan order, a page at a time. */
export async function appliedEvents(
  db: Database,
  runId: string,
  afterSeq: number,
  limit: number,
): Promise<AppliedRecord[]> {
  const rows = await db.rows<{
    seq: number;
    object_key: string | null;
    idm_object_id: string | null;
    situation: string | null;
    response: string | null;
    action: PlannedAction | string;
    diff: AttributeDiff | string | null;
    before: BeforeImage | string | null;
    restores_membership: boolean | null;
  }>(sql`select seq, object_key, idm_object_id, situation, response, action, diff, before,
      coalesce(policy_output -> 'undo' ? 'membershipOf', false) as restores_membership from run_events
    where run_id = ${runId} and outcome = 'applied' and action is not null and seq > ${afterSeq}
    order by seq limit ${limit}`);
  return rows.map((r) => ({
    seq: Number(r.seq),
    objectKey: r.object_key,
    idmObjectId: r.idm_object_id,
    situation: r.situation,
    response: r.response,
    action: json(r.action) ?? {},
    diff: json(r.diff),
    before: json(r.before),
    restoresMembership: r.restores_membership === true,
  }));
}

/** IDM objects as they are now; `changedSinceRun`: written after the run ended. */
export async function idmObjectsNow(
  db: Database,
  ids: string[],
  runEnded: Date,
): Promise<Map<string, NonNullable<CurrentObjects['idm']>>> {
  if (ids.length === 0) return new Map();
  const rows = await db.rows<{
    id: string;
    status: IdmStatus;
    version: number;
    changed: boolean;
    deleted_at: string | Date | null;
  }>(sql`select id, status, version, updated_at > ${runEnded.toISOString()}::timestamptz as changed, deleted_at
    from idm_objects where id = any(${listParam(ids)})`);
  return new Map(
    rows.map((r) => [
      r.id,
      {
        status: r.status,
        version: Number(r.version),
        changedSinceRun: r.changed,
        deletedAt: r.deleted_at === null ? null : new Date(r.deleted_at),
      },
    ]),
  );
}

export type UndoRunValues = {
  undoOf: string;
  configId: string;
  mode: RunMode;
  startedBy: string;
  readRequest: LookupRequest | null;
};

/**
 * The undo plan as one run, written whole in one transaction: a succeeded dry run (trigger
 * `undo`) holding its events and plan hash, which review applies like any plan.
 */
export async function createUndoRun(
  db: Database,
  values: UndoRunValues,
  events: PlannedEvent[],
): Promise<{ runId: string; planHash: string; counts: RunCounts }> {
  const counts: RunCounts = { situations: {}, responses: {}, errors: 0, skipped: 0 };
  for (const e of events) {
    if (e.situation) counts.situations[e.situation] = (counts.situations[e.situation] ?? 0) + 1;
    if (e.response) counts.responses[e.response] = (counts.responses[e.response] ?? 0) + 1;
    if (e.outcome === 'skipped') counts.skipped = (counts.skipped ?? 0) + 1;
  }
  const hasher = createPlanHasher();
  hasher.add(events.filter((e) => e.outcome === 'planned'));
  const planHash = hasher.digest();
  const runId = await db.orm.transaction(async (tx) => {
    const created = await tx.execute(sql`
      insert into runs (config_id, dry_run, mode, trigger, status, phase, started_at, finished_at, counts,
        started_by, undo_of, plan_hash, read_request, config_snapshot)
      select ${values.configId}, true, ${values.mode}, 'undo', 'succeeded', 'finishing', now(), now(),
        ${JSON.stringify(counts)}::jsonb, ${values.startedBy}, ${values.undoOf}, ${planHash},
        ${values.readRequest ? JSON.stringify(values.readRequest) : null}::jsonb, r.config_snapshot
      from runs r where r.id = ${values.undoOf}
      returning id`);
    const rows = Array.isArray(created) ? created : ((created as { rows?: unknown[] }).rows ?? []);
    const id = (rows[0] as { id: string }).id;
    for (const statement of eventInserts(id, events, 1000)) await tx.execute(statement);
    return id;
  });
  return { runId, planHash, counts };
}

/** What an undo plan's planned actions restore only in part, and why (their `undo.notes`), in plan order. */
export async function undoPlanNotes(
  db: Database,
  runId: string,
): Promise<Array<{ seq: number; objectKey: string | null; note: string }>> {
  const rows = await db.rows<{ seq: number; object_key: string | null; notes: string[] | string | null }>(sql`
    select seq, object_key, policy_output -> 'undo' -> 'notes' as notes from run_events
    where run_id = ${runId} and outcome = 'planned' and policy_output -> 'undo' ? 'notes'
    order by seq limit 1000`);
  return rows.flatMap((r) =>
    (json<string[]>(r.notes) ?? []).map((note) => ({ seq: Number(r.seq), objectKey: r.object_key, note })),
  );
}
