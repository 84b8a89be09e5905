import { type SQL, sql } from 'drizzle-orm';
import type { BeforeBatch } from '../core/apply-plan.ts';
import type { Connector, LookupRequest } from '../core/connector-port.ts';
import { findDrift, type PlannedSnapshot } from '../core/drift.ts';
import { lookupAccounts } from '../core/lookup-accounts.ts';
import type { EventError } from '../core/plan.ts';
import { createPlanHasher, type HashedAction } from '../core/plan-hash.ts';
import type { ReviewHooks } from '../core/review-hooks.ts';
import { accountsInCounts } from '../core/source-guard.ts';
import type { RunCounts } from '../core/store-port.ts';
import type { Database } from '../db/client.ts';
import { isUniqueViolation } from '../db/pg-errors.ts';
import { json, listParam } from './rows.ts';

const page = 5000;

/** The planned actions of a run in plan order, page by page (never the whole plan at once). */
export async function* plannedActions(db: Database, runId: string): AsyncGenerator<HashedAction[]> {
  let after = -1;
  for (;;) {
    const rows = await db.rows<{
      seq: number;
      object_key: string | null;
      idm_object_id: string | null;
      situation: string | null;
      response: string | null;
      action: unknown;
    }>(sql`select seq, object_key, idm_object_id, situation, response, action from run_events
      where run_id = ${runId} and outcome = 'planned' and seq > ${after} order by seq limit ${page}`);
    if (rows.length === 0) return;
    yield rows.map((r) => ({
      seq: Number(r.seq),
      objectKey: r.object_key,
      idmObjectId: r.idm_object_id,
      situation: r.situation,
      response: r.response,
      action: json(r.action as string),
    }));
    after = Number(rows[rows.length - 1]?.seq);
  }
}

/** The plan hash over a run's planned events as they are stored now. */
export async function hashStoredPlan(db: Database, runId: string): Promise<string> {
  const hasher = createPlanHasher();
  for await (const actions of plannedActions(db, runId)) hasher.add(actions);
  return hasher.digest();
}

/** What planning needs from the review feature: plan hashes and the source guard's baseline. */
export function createReviewHooks(db: Database): ReviewHooks {
  return {
    async previousAccounts(configId) {
      // `apply` runs carry out part of a plan: their counts are not a reading of the source.
      const [row] = await db.rows<{ counts: RunCounts | string }>(sql`
        select counts from runs where config_id = ${configId} and status = 'succeeded' and not dry_run
          and mode = 'full' and trigger <> 'apply'
        order by created_at desc limit 1`);
      return row ? accountsInCounts(json(row.counts)?.situations ?? {}) : null;
    },
    async sealPlan(runId) {
      const hash = await hashStoredPlan(db, runId);
      await db.rows(sql`update runs set plan_hash = ${hash} where id = ${runId}`);
      return hash;
    },
  };
}

export type ApplyRunValues = {
  planRunId: string;
  configId: string;
  mode: string;
  keys: string[] | null;
  approvedBy: string;
  startedBy: string;
  owner: string;
};

export type CreatedApplyRun = { outcome: 'created'; runId: string } | { outcome: 'conflict' };

/**
 * The `apply` run and its whole journal in one transaction: a copy of the plan's planned events,
 * still `planned`, in phase `applying`. A crash at any later point resumes from these rows.
 * `conflict`: the plan was applied already, or the config has a run going (the unique indexes).
 */
export async function createApplyRun(db: Database, values: ApplyRunValues): Promise<CreatedApplyRun> {
  try {
    const runId = await db.orm.transaction(async (tx) => {
      const run = (q: SQL) => tx.execute(q);
      const created = await run(sql`
        insert into runs (config_id, dry_run, mode, keys, trigger, status, phase, started_at, heartbeat_at, owner,
          applied_from, approved_by, started_by, read_request, config_snapshot)
        select ${values.configId}, false, ${values.mode}, ${values.keys ? JSON.stringify(values.keys) : null}::jsonb,
          'apply', 'running', 'applying', now(), now(), ${values.owner}, ${values.planRunId}, ${values.approvedBy},
          ${values.startedBy}, plan.read_request, plan.config_snapshot
        from runs plan where plan.id = ${values.planRunId}
        returning id`);
      const id = rowId(created);
      await run(sql`
        insert into run_events (run_id, seq, object_key, idm_object_id, situation, response, action, diff, policy_output,
          account_hash, idm_version, before, correlation, outcome, error)
        select ${id}, seq, object_key, idm_object_id, situation, response, action, diff, policy_output,
          account_hash, idm_version, before, correlation, 'planned', error
        from run_events where run_id = ${values.planRunId} and outcome = 'planned'`);
      await run(sql`
        update runs set counts = (
          select jsonb_build_object(
            'situations', coalesce((select jsonb_object_agg(situation, n) from (select situation, count(*) n from run_events
              where run_id = ${id} and situation is not null group by situation) s), '{}'::jsonb),
            'responses', coalesce((select jsonb_object_agg(response, n) from (select response, count(*) n from run_events
              where run_id = ${id} and response is not null group by response) r), '{}'::jsonb),
            'errors', 0))
        where id = ${id}`);
      return id;
    });
    return { outcome: 'created', runId };
  } catch (error) {
    if (isUniqueViolation(error)) return { outcome: 'conflict' };
    throw error;
  }
}

function rowId(result: unknown): string {
  const rows = Array.isArray(result) ? result : ((result as { rows?: unknown[] }).rows ?? []);
  return (rows[0] as { id: string }).id;
}

/**
 * The drift check of an `apply` run, batch by batch (docs/api.md "Review and apply"): each object is
 * read again — the account by key from the system, the IDM object's version — and compared with
 * what the plan saw. Drifted actions are flipped to `skipped` together with the checkpoint, before
 * anything of the batch is written.
 */
export function createDriftCheck(
  db: Database,
  runId: string,
  connector: Connector,
  request: LookupRequest,
): BeforeBatch {
  const checked = new Map<string, number>();
  return async (side, batch) => {
    if (!checked.has(side)) {
      const [row] = await db.rows<{ checked_through: number }>(
        sql`select checked_through from apply_checkpoints where run_id = ${runId} and side = ${side}`,
      );
      checked.set(side, row ? Number(row.checked_through) : -1);
    }
    const through = checked.get(side) ?? -1;
    const fresh = batch.filter((e) => e.seq > through).map((e) => e.seq);
    const drifted = new Map<number, EventError>();
    if (fresh.length === 0) return drifted;
    const snapshots = (
      await db.rows<{
        seq: number;
        object_key: string | null;
        account_hash: string | null;
        idm_object_id: string | null;
        idm_version: number | null;
      }>(sql`select seq, object_key, account_hash, idm_object_id, idm_version from run_events
        where run_id = ${runId} and seq = any(${listParam(fresh)}::int[])`)
    ).map(
      (r): PlannedSnapshot => ({
        seq: Number(r.seq),
        objectKey: r.object_key,
        accountHash: r.account_hash,
        idmObjectId: r.idm_object_id,
        idmVersion: r.idm_version === null ? null : Number(r.idm_version),
      }),
    );
    const keys = [...new Set(snapshots.flatMap((s) => (s.objectKey === null ? [] : [s.objectKey])))];
    const accounts = await lookupAccounts(connector, keys, request);
    const ids = [...new Set(snapshots.flatMap((s) => (s.idmObjectId === null ? [] : [s.idmObjectId])))];
    const versions = await db.rows<{ id: string; version: number }>(
      sql`select id, version from idm_objects where id = any(${listParam(ids)})`,
    );
    for (const [seq, error] of findDrift(snapshots, {
      accounts: new Map(accounts.map((a) => [a.key, a])),
      idmVersions: new Map(versions.map((v) => [v.id, Number(v.version)])),
    })) {
      drifted.set(seq, error);
    }
    const last = Math.max(...fresh);
    const flips = [...drifted].map(([seq, error]) => ({ seq, error }));
    await db.orm.transaction(async (tx) => {
      if (flips.length > 0) {
        await tx.execute(sql`
          update run_events e set outcome = 'skipped', error = x.error
          from jsonb_to_recordset(${JSON.stringify(flips)}::jsonb) as x(seq int, error jsonb)
          where e.run_id = ${runId} and e.seq = x.seq`);
      }
      await tx.execute(sql`
        insert into apply_checkpoints (run_id, side, checked_through) values (${runId}, ${side}, ${last})
        on conflict (run_id, side) do update set checked_through = excluded.checked_through`);
    });
    checked.set(side, last);
    return drifted;
  };
}
