import { and, asc, eq, gt, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { type DisputeRow, type DisputeStatus, disputes } from '../db/schema/disputes.ts';
import { json, listParam } from '../store/rows.ts';
import type { RunFinished } from './runs/types.ts';

/** docs/api.md "Disputes": a DISPUTED account as a person sees it. */
export type Dispute = {
  id: string;
  configId: string;
  runId: string | null;
  objectKey: string;
  account: Record<string, unknown> | null;
  candidates: Array<{
    idmObjectId: string;
    name: string | null;
    score: number | null;
    attributes: Record<string, unknown>;
  }>;
  status: DisputeStatus;
  idmObjectId: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  createdAt: string;
  updatedAt: string;
};

export function toDispute(row: DisputeRow): Dispute {
  return {
    id: row.id,
    configId: row.configId,
    runId: row.runId,
    objectKey: row.objectKey,
    account: row.account ?? null,
    candidates: row.candidates.map((c) => ({
      idmObjectId: c.idmObjectId,
      name: c.name ?? null,
      score: c.score,
      attributes: c.attributes,
    })),
    status: row.status,
    idmObjectId: row.idmObjectId,
    decidedBy: row.decidedBy,
    decidedAt: row.decidedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/**
 * Opens (or updates) one dispute per DISPUTED account of a finished non-dry run. A dismissed
 * dispute stays dismissed while its candidates are the same; any other decided dispute whose
 * account is DISPUTED again reopens (its link is gone). Called for every run this process ends.
 */
export async function recordDisputes(db: Database, finished: RunFinished): Promise<number> {
  const completed =
    finished.outcome.outcome === 'succeeded' || finished.outcome.outcome === 'succeeded_with_errors';
  if (finished.dryRun || !completed || finished.trigger === 'apply') return 0;
  const events = await db.rows<{ object_key: string; policy_output: unknown }>(sql`
    select object_key, policy_output from run_events
    where run_id = ${finished.runId} and situation = 'DISPUTED' and object_key is not null order by seq`);
  if (events.length === 0) return 0;
  const parsed = events.map((e) => {
    const output = json(e.policy_output as string) as {
      dispute?: {
        account: Record<string, unknown> | null;
        candidates: string[];
        scores?: Record<string, number | null>;
      };
    } | null;
    const ids = [...new Set(output?.dispute?.candidates ?? [])].sort();
    const scores = output?.dispute?.scores ?? {};
    return { objectKey: e.object_key, account: output?.dispute?.account ?? null, ids, scores };
  });
  const allIds = [...new Set(parsed.flatMap((p) => p.ids))];
  const objects = await db.rows<{
    id: string;
    name: string;
    attributes: Record<string, unknown> | string;
  }>(sql`
    select id, name, attributes from idm_objects where id = any(${listParam(allIds)})`);
  const objectOf = new Map(
    objects.map((o) => [o.id, { name: o.name, attributes: json(o.attributes) ?? {} }]),
  );
  const rows = parsed.map((p) => ({
    object_key: p.objectKey,
    account: p.account,
    candidates: p.ids.map((id) => ({
      idmObjectId: id,
      name: objectOf.get(id)?.name ?? null,
      score: p.scores[id] ?? null,
      attributes: objectOf.get(id)?.attributes ?? {},
    })),
    candidates_key: p.ids.join(','),
  }));
  await db.rows(sql`
    insert into disputes (config_id, run_id, object_key, account, candidates, candidates_key, status)
    select ${finished.configId}, ${finished.runId}, x.object_key, x.account, x.candidates, x.candidates_key, 'open'
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(object_key text, account jsonb, candidates jsonb, candidates_key text)
    on conflict (config_id, object_key) do update set run_id = excluded.run_id, account = excluded.account,
      candidates = excluded.candidates, candidates_key = excluded.candidates_key, status = 'open',
      idm_object_id = null, decided_by = null, decided_at = null, updated_at = now()
    where not (disputes.status = 'dismissed' and disputes.candidates_key = excluded.candidates_key)`);
  return rows.length;
}

export type DisputeFilter = {
  configId?: string | undefined;
  status?: DisputeStatus | undefined;
  afterId?: string;
  limit: number;
};

/** Disputes in id order, one page; `next` is the id the following page starts after, or null. */
export async function listDisputes(db: Database, filter: DisputeFilter) {
  const conditions: SQL[] = [];
  if (filter.configId) conditions.push(eq(disputes.configId, filter.configId));
  if (filter.status) conditions.push(eq(disputes.status, filter.status));
  if (filter.afterId) conditions.push(gt(disputes.id, filter.afterId));
  const rows = await db.orm
    .select()
    .from(disputes)
    .where(and(...conditions))
    .orderBy(asc(disputes.id))
    .limit(filter.limit + 1);
  const page = rows.slice(0, filter.limit);
  return { items: page.map(toDispute), next: rows.length > filter.limit ? (page.at(-1)?.id ?? null) : null };
}

/** One dispute by id, or null. */
export async function getDispute(db: Database, id: string): Promise<Dispute | null> {
  const [row] = await db.orm.select().from(disputes).where(eq(disputes.id, id));
  return row ? toDispute(row) : null;
}

export type DisputeDecision = { idmObjectId: string } | { dismiss: true };

export type ResolveOutcome =
  | { outcome: 'resolved'; dispute: Dispute }
  | { outcome: 'dismissed'; dispute: Dispute }
  | { outcome: 'not_found' }
  | { outcome: 'already_decided'; status: DisputeStatus }
  | { outcome: 'not_a_candidate'; candidates: string[] }
  | { outcome: 'config_not_found' };

/**
 * A person's decision on a dispute, in one transaction: linking writes the link (the next run
 * sees the pair as IDM_EXISTS__RESOURCE_EXISTS); either way the decision becomes an event in the
 * history of the run that opened the dispute, naming who decided.
 */
export async function resolveDispute(
  db: Database,
  input: { id: string; decision: DisputeDecision; decidedBy: string },
): Promise<ResolveOutcome> {
  return db.orm.transaction(async (tx) => {
    const [row] = await tx.select().from(disputes).where(eq(disputes.id, input.id)).for('update');
    if (!row) return { outcome: 'not_found' } as const;
    if (row.status !== 'open') return { outcome: 'already_decided', status: row.status } as const;
    const linkTo = 'idmObjectId' in input.decision ? input.decision.idmObjectId : null;
    const candidates = row.candidates.map((c) => c.idmObjectId);
    if (linkTo !== null && !candidates.includes(linkTo))
      return { outcome: 'not_a_candidate', candidates } as const;
    if (linkTo !== null) {
      const linked = await tx.execute(sql`
        insert into links (system_id, object_type, account_key, idm_object_id, status, last_seen_at)
        select c.system_id, c.object_type, ${row.objectKey}, ${linkTo}, 'active', now() from recon_configs c where c.id = ${row.configId}
        on conflict (system_id, object_type, account_key) do update set idm_object_id = excluded.idm_object_id,
          status = 'active', stale_since = null, updated_at = now()
        returning id`);
      const count = Array.isArray(linked)
        ? linked.length
        : ((linked as { rows?: unknown[] }).rows?.length ?? 0);
      if (count === 0) return { outcome: 'config_not_found' } as const;
    }
    if (row.runId) {
      // The opening run's history gets the decision as its last event; the run row's lock keeps seq unique.
      await tx.execute(sql`select id from runs where id = ${row.runId} for update`);
      await tx.execute(sql`
        insert into run_events (run_id, seq, object_key, idm_object_id, situation, response, outcome, policy_output)
        select ${row.runId}, coalesce(max(seq), -1) + 1, ${row.objectKey}, ${linkTo}, 'DISPUTED',
          ${linkTo ? 'LINKED_BY_PERSON' : 'DISMISSED'}, ${linkTo ? 'applied' : 'recorded'},
          ${JSON.stringify({ decidedBy: input.decidedBy, disputeId: row.id })}::jsonb
        from run_events where run_id = ${row.runId}`);
    }
    const [updated] = await tx
      .update(disputes)
      .set({
        status: linkTo ? 'resolved' : 'dismissed',
        idmObjectId: linkTo,
        decidedBy: input.decidedBy,
        decidedAt: sql`now()`,
        updatedAt: sql`now()`,
      })
      .where(eq(disputes.id, row.id))
      .returning();
    const dispute = toDispute(updated as DisputeRow);
    return linkTo
      ? ({ outcome: 'resolved', dispute } as const)
      : ({ outcome: 'dismissed', dispute } as const);
  });
}

export type DisputeService = {
  /** Opens or updates the disputes of a finished run (an `onRunFinished` listener). */
  record(finished: RunFinished): Promise<number>;
  list(filter: DisputeFilter): Promise<{ items: Dispute[]; next: string | null }>;
  get(id: string): Promise<Dispute | null>;
  resolve(input: { id: string; decision: DisputeDecision; decidedBy: string }): Promise<ResolveOutcome>;
};

export function createDisputeService(deps: { db: Database }): DisputeService {
  return {
    record: (finished) => recordDisputes(deps.db, finished),
    list: (filter) => listDisputes(deps.db, filter),
    get: (id) => getDispute(deps.db, id),
    resolve: (input) => resolveDispute(deps.db, input),
  };
}
