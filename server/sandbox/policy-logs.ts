import { and, asc, eq, isNull, or, type SQL } from 'drizzle-orm';
import type { PolicyLog } from '../core/policy-port.ts';
import type { Database } from '../db/client.ts';
import { policyLogs } from '../db/schema/policy-logs.ts';
import { runEvents } from '../db/schema/run-events.ts';

/**
 * Policy log lines of a run, on their way to its events. How a line finds its event:
 * - a line written for one record names the object that record is about: the account of an
 *   `accountKeys` input or of a population / situation command ctx, the IDM object of an `idmKeys`
 *   input or of an outbound mapping ctx. It shows in the detail of every event of the run with
 *   that account key or IDM object id.
 * - a line from a per-run call (pre-processor, queries, post-processor, a custom processor's
 *   batch of pairs) names no object. It shows in the run-level event: one `recorded` event with
 *   seq -1 and no object, made when the first such line is written.
 * Each call keeps its first 100 lines (prelude.js); a run keeps its first `runLogLimit` and
 * counts the rest in one last run-level line.
 */
export const runLogLimit = 1000;
/** The run-level event's seq: before every object's event. */
export const runLevelSeq = -1;
const flushAt = 500;

export type LogSubject = { objectKey: string | null; idmObjectId: string | null };
const noSubject: LogSubject = { objectKey: null, idmObjectId: null };

const asRecord = (value: unknown): Record<string, unknown> | null =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
const text = (value: unknown) => (typeof value === 'string' ? value : null);

/** The object one record's input is about (see above); none for anything else. */
export function subjectOf(input: unknown): LogSubject {
  const record = asRecord(input);
  if (!record) return noSubject;
  if ('attributes' in record) {
    // An account ({ key, attributes }) or an IDM object ({ id, type, status, attributes }).
    return 'type' in record && 'id' in record
      ? { objectKey: null, idmObjectId: text(record.id) }
      : { objectKey: text(record.key), idmObjectId: null };
  }
  const account = asRecord(record.account);
  const idmObject = asRecord(record.idmObject) ?? asRecord(record.candidate);
  return { objectKey: text(account?.key), idmObjectId: text(idmObject?.id) };
}

type Row = typeof policyLogs.$inferInsert;

/** Buffers one run's log lines and writes them in bulk. */
export function createRunLogs(db: Database, runId: string) {
  let rows: Row[] = [];
  let kept = 0;
  let dropped = 0;
  let runLevelEvent = false;

  async function flush() {
    const batch = rows;
    rows = [];
    if (batch.some((row) => row.objectKey === null && row.idmObjectId === null) && !runLevelEvent) {
      runLevelEvent = true;
      await db.orm
        .insert(runEvents)
        .values({ runId, seq: runLevelSeq, outcome: 'recorded' })
        .onConflictDoNothing();
    }
    if (batch.length > 0) await db.orm.insert(policyLogs).values(batch);
  }

  return {
    /** Keeps one line; `input` is the record it was written for, if any. */
    async add(log: PolicyLog, input: unknown) {
      if (kept >= runLogLimit) {
        dropped++;
        return;
      }
      kept++;
      const subject = log.index === undefined ? noSubject : subjectOf(input);
      rows.push({
        runId,
        ...subject,
        policy: log.policy,
        file: log.file ?? null,
        line: log.line ?? null,
        column: log.column ?? null,
        level: log.level,
        message: log.message,
      });
      if (rows.length >= flushAt) await flush();
    },
    async finish() {
      if (dropped > 0) {
        rows.push({
          runId,
          ...noSubject,
          policy: 'trueup',
          level: 'warn',
          message: `${dropped} more policy log line(s) dropped: a run keeps at most ${runLogLimit}`,
        });
      }
      await flush();
    },
  };
}

export type RunLogs = ReturnType<typeof createRunLogs>;

export type EventLogLine = {
  policy: string;
  file: string | null;
  line: number | null;
  column: number | null;
  level: string;
  message: string;
};

/** The log lines an event shows (see above), in the order they were written. */
export async function logsOfEvent(
  db: Database,
  event: { runId: string; seq: number; objectKey: string | null; idmObjectId: string | null },
): Promise<EventLogLine[]> {
  const mine: SQL[] = [];
  if (event.seq === runLevelSeq)
    mine.push(and(isNull(policyLogs.objectKey), isNull(policyLogs.idmObjectId))!);
  if (event.objectKey !== null) mine.push(eq(policyLogs.objectKey, event.objectKey));
  if (event.idmObjectId !== null) mine.push(eq(policyLogs.idmObjectId, event.idmObjectId));
  if (mine.length === 0) return [];
  return db.orm
    .select({
      policy: policyLogs.policy,
      file: policyLogs.file,
      line: policyLogs.line,
      column: policyLogs.column,
      level: policyLogs.level,
      message: policyLogs.message,
    })
    .from(policyLogs)
    .where(and(eq(policyLogs.runId, event.runId), or(...mine)))
    .orderBy(asc(policyLogs.id))
    .limit(runLogLimit + 1);
}
