import { eq, type SQL, sql } from 'drizzle-orm';
import type { PlannedEvent } from '../core/plan.ts';
import type { IdmEntry, LinkRow, LinkStatus } from '../core/recon-config.ts';
import type {
  AppliedEntry,
  IdmScope,
  JournalEntry,
  RunCounts,
  RunStore,
  RunUpdate,
} from '../core/store-port.ts';
import type { Database } from '../db/client.ts';
import { runs } from '../db/schema/index.ts';
import { applyStatements, flipStatement } from './apply-sql.ts';
import { idmFilterToSql } from './idm-filter-sql.ts';
import { type IdmRow, idmEntryOf, json } from './rows.ts';

/** Rows per bulk statement or page: large enough to amortise a round trip, small enough for one parameter. */
const insertChunk = 5000;

const idmColumns = sql`o.id, o.type, o.status, o.name, o.login, o.email, o.employee_id, o.attributes, o.attribute_sources`;

async function inTransaction(db: Database, statements: SQL[]) {
  await db.orm.transaction(async (tx) => {
    for (const statement of statements) await tx.execute(statement);
  });
}

/** The engine's storage port over PGlite or PostgreSQL, with bulk SQL on every hot path. */
export function createRunStore(db: Database): RunStore {
  return {
    async loadIdmScope(objectType, scope: IdmScope) {
      if (scope.kind === 'none') return [];
      const filter = scope.kind === 'filter' ? sql`and ${idmFilterToSql(scope.filter)}` : sql``;
      const rows = await db.rows<IdmRow>(
        sql`select ${idmColumns} from idm_objects o where o.type = ${objectType} and o.status <> 'deleted' ${filter}`,
      );
      return rows.map(idmEntryOf);
    },

    async loadLinkRows(target) {
      const rows = await db.rows<{
        account_key: string;
        idm_object_id: string;
        status: LinkStatus;
        stale_since: Date | string | null;
      }>(sql`
        select account_key, idm_object_id, status, stale_since from links
        where system_id = ${target.systemId} and object_type = ${target.objectType}`);
      return rows.map(
        (row): LinkRow => ({
          accountKey: row.account_key,
          idmObjectId: row.idm_object_id,
          status: row.status,
          staleSince: row.stale_since ? new Date(row.stale_since).toISOString() : null,
        }),
      );
    },

    async loadIdmObjects(ids) {
      const entries: IdmEntry[] = [];
      for (let at = 0; at < ids.length; at += insertChunk) {
        const list = JSON.stringify(ids.slice(at, at + insertChunk));
        const found = await db.rows<IdmRow>(
          sql`select ${idmColumns} from idm_objects o where o.id = any(array(select jsonb_array_elements_text(${list}::jsonb)))`,
        );
        for (const row of found) entries.push(idmEntryOf(row));
      }
      return entries;
    },

    async insertEvents(runId, events: PlannedEvent[]) {
      for (let at = 0; at < events.length; at += insertChunk) {
        const rows = events.slice(at, at + insertChunk).map((e) => ({
          seq: e.seq,
          object_key: e.objectKey,
          idm_object_id: e.idmObjectId,
          situation: e.situation,
          response: e.response,
          action: e.action,
          diff: e.diff,
          policy_output: e.policyOutput,
          outcome: e.outcome,
          error: e.error,
        }));
        await db.rows(sql`
          insert into run_events (run_id, seq, object_key, idm_object_id, situation, response, action, diff, policy_output, outcome, error)
          select ${runId}, x.seq, x.object_key, x.idm_object_id, x.situation, x.response, x.action, x.diff, x.policy_output, x.outcome, x.error
          from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(seq int, object_key text, idm_object_id text,
            situation text, response text, action jsonb, diff jsonb, policy_output jsonb, outcome text, error jsonb)`);
      }
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

    async countFailed(runId) {
      const [row] = await db.rows<{ n: number }>(
        sql`select count(*)::int as n from run_events where run_id = ${runId} and outcome = 'failed'`,
      );
      return Number(row?.n ?? 0);
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

    async advanceWatermark(configId, value, runId) {
      await db.rows(sql`
        insert into watermarks (config_id, value, run_id, updated_at) values (${configId}, ${value}, ${runId}, now())
        on conflict (config_id) do update set value = excluded.value, run_id = excluded.run_id, updated_at = now()`);
    },
  };
}
