import { type SQL, sql } from 'drizzle-orm';
import type { PlannedEvent } from '../core/plan.ts';

/**
 * The statements that insert a run's events, `chunk` rows each (one `jsonb_to_recordset` per
 * statement): the engine's events and an undo plan's go in the same way.
 */
export function eventInserts(runId: string, events: PlannedEvent[], chunk: number): SQL[] {
  const statements: SQL[] = [];
  for (let at = 0; at < events.length; at += chunk) {
    const rows = events.slice(at, at + chunk).map((e) => ({
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
      account_hash: e.accountHash ?? null,
      idm_version: e.idmVersion ?? null,
      before: e.before ?? null,
      correlation: e.correlation ?? null,
    }));
    statements.push(sql`
      insert into run_events (run_id, seq, object_key, idm_object_id, situation, response, action, diff,
        policy_output, outcome, error, account_hash, idm_version, before, correlation)
      select ${runId}, x.seq, x.object_key, x.idm_object_id, x.situation, x.response, x.action, x.diff,
        x.policy_output, x.outcome, x.error, x.account_hash, x.idm_version, x.before, x.correlation
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(seq int, object_key text, idm_object_id text,
        situation text, response text, action jsonb, diff jsonb, policy_output jsonb, outcome text, error jsonb,
        account_hash text, idm_version int, before jsonb, correlation jsonb)`);
  }
  return statements;
}
