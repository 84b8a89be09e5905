import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';

/** One line of an IDM object's history: an event of a run that touched it, or an admin's act. */
export type IdmHistoryEntry =
  | {
      kind: 'event';
      at: string;
      runId: string;
      runStatus: string;
      dryRun: boolean;
      configId: string | null;
      configName: string | null;
      eventId: number;
      objectKey: string | null;
      situation: string | null;
      response: string | null;
      outcome: string;
      error: string | null;
    }
  | { kind: 'act'; at: string; act: string; actor: string; details: Record<string, unknown> };

type Row = {
  kind: 'event' | 'act';
  at: Date | string;
  run_id: string | null;
  run_status: string | null;
  dry_run: boolean | null;
  config_id: string | null;
  config_name: string | null;
  event_id: number | string | null;
  object_key: string | null;
  situation: string | null;
  response: string | null;
  outcome: string | null;
  error: { message?: string } | string | null;
  act: string | null;
  actor: string | null;
  details: Record<string, unknown> | string | null;
};

const parsed = <T>(value: T | string | null): T | null =>
  typeof value === 'string' ? (JSON.parse(value) as T) : value;

export const historyLimit = 200;

/** The object's history across runs and acts by hand, newest first (the latest `historyLimit`). */
export async function idmHistory(db: Database, idmObjectId: string): Promise<IdmHistoryEntry[]> {
  const rows = await db.rows<Row>(sql`
    (select 'event' as kind, e.created_at as at, e.run_id, r.status as run_status, r.dry_run,
        r.config_id, c.name as config_name, e.id as event_id, e.object_key, e.situation, e.response,
        e.outcome, e.error, null as act, null as actor, null::jsonb as details
      from run_events e join runs r on r.id = e.run_id left join recon_configs c on c.id = r.config_id
      where e.idm_object_id = ${idmObjectId}
      order by e.created_at desc, e.id desc limit ${historyLimit})
    union all
    (select 'act', a.created_at, null, null, null, null, null, null, null, null, null, null, null,
        a.act, a.actor, a.details
      from idm_actions a where a.idm_object_id = ${idmObjectId}
      order by a.created_at desc limit ${historyLimit})
    order by at desc limit ${historyLimit}`);
  return rows.map((row): IdmHistoryEntry => {
    const at = new Date(row.at).toISOString();
    if (row.kind === 'act') {
      return { kind: 'act', at, act: row.act!, actor: row.actor!, details: parsed(row.details) ?? {} };
    }
    return {
      kind: 'event',
      at,
      runId: row.run_id!,
      runStatus: row.run_status!,
      dryRun: Boolean(row.dry_run),
      configId: row.config_id,
      configName: row.config_name,
      eventId: Number(row.event_id),
      objectKey: row.object_key,
      situation: row.situation,
      response: row.response,
      outcome: row.outcome!,
      error: parsed(row.error)?.message ?? null,
    };
  });
}
