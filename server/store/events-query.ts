import { and, asc, eq, gt, type SQL } from 'drizzle-orm';
import type { EventOutcome } from '../core/model.ts';
import type { Database } from '../db/client.ts';
import { runEvents } from '../db/schema/run-events.ts';
import { type EventLogLine, logsOfEvent } from '../sandbox/policy-logs.ts';

type EventRow = typeof runEvents.$inferSelect;
type Diff = Record<string, { before: unknown; after: unknown }>;

/** One row of a run's activity, as listed. */
export type RunEventSummary = {
  id: string;
  seq: number;
  objectKey: string | null;
  idmObjectId: string | null;
  situation: string | null;
  response: string | null;
  outcome: EventOutcome;
  diff: Diff | null;
  error: EventRow['error'];
};

/** One object's detail: its attributes before and after, the action, the policy outputs, the error. */
export type RunEventDetail = RunEventSummary & {
  runId: string;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  action: unknown;
  policyOutput: unknown;
  /** The policies' log lines for this object (server/sandbox/policy-logs.ts says which). */
  logs: EventLogLine[];
  createdAt: string;
};

export function toEventSummary(row: EventRow): RunEventSummary {
  return {
    id: String(row.id),
    seq: row.seq,
    objectKey: row.objectKey,
    idmObjectId: row.idmObjectId,
    situation: row.situation,
    response: row.response,
    outcome: row.outcome,
    diff: row.diff ?? null,
    error: row.error ?? null,
  };
}

export type EventFilter = {
  situation?: string;
  response?: string;
  outcome?: EventOutcome;
  /** Return events after this sequence number. */
  afterSeq?: number;
  limit: number;
};

/** A run's events in sequence order, one page; `nextSeq` is where the following page starts. */
export async function listEvents(
  db: Database,
  runId: string,
  filter: EventFilter,
): Promise<{ items: RunEventSummary[]; nextSeq: number | null }> {
  const conditions: SQL[] = [eq(runEvents.runId, runId)];
  if (filter.situation) conditions.push(eq(runEvents.situation, filter.situation));
  if (filter.response) conditions.push(eq(runEvents.response, filter.response));
  if (filter.outcome) conditions.push(eq(runEvents.outcome, filter.outcome));
  if (filter.afterSeq !== undefined) conditions.push(gt(runEvents.seq, filter.afterSeq));
  const rows = await db.orm
    .select()
    .from(runEvents)
    .where(and(...conditions))
    .orderBy(asc(runEvents.seq))
    .limit(filter.limit + 1);
  const page = rows.slice(0, filter.limit);
  return {
    items: page.map(toEventSummary),
    nextSeq: rows.length > filter.limit ? (page.at(-1)?.seq ?? null) : null,
  };
}

export async function getEvent(db: Database, runId: string, eventId: number): Promise<RunEventDetail | null> {
  const [row] = await db.orm
    .select()
    .from(runEvents)
    .where(and(eq(runEvents.runId, runId), eq(runEvents.id, eventId)))
    .limit(1);
  if (!row) return null;
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  for (const [name, change] of Object.entries(row.diff ?? {})) {
    before[name] = change.before;
    after[name] = change.after;
  }
  return {
    ...toEventSummary(row),
    runId: row.runId,
    before,
    after,
    action: row.action ?? null,
    policyOutput: row.policyOutput ?? null,
    logs: await logsOfEvent(db, row),
    createdAt: row.createdAt.toISOString(),
  };
}
