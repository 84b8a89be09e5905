import { sql } from 'drizzle-orm';
import { bigserial, index, integer, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { eventOutcomes } from '../../core/model.ts';
import { createdAt, oneOf } from './columns.ts';
import { runs } from './runs.ts';

/**
 * One row of a run's activity: one object, its situation and response, and what came of it.
 * The plan is written here before any write (`planned`), and each action flips its own row,
 * so the events are also the apply journal a crashed run resumes from.
 */
export const runEvents = pgTable(
  'run_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    objectKey: text('object_key'),
    idmObjectId: text('idm_object_id'),
    situation: text('situation'),
    response: text('response'),
    action: jsonb('action').$type<unknown>(),
    diff: jsonb('diff').$type<Record<string, { before: unknown; after: unknown }>>(),
    policyOutput: jsonb('policy_output').$type<unknown>(),
    /** Content hash of the account as read when the event was planned (drift check on apply). */
    accountHash: text('account_hash'),
    /** `idm_objects.version` of the IDM object as read when the event was planned. */
    idmVersion: integer('idm_version'),
    /**
     * What the action overwrites and the journal does not otherwise keep (core/before-image.ts):
     * the account as read, the link as it was, the IDM attributes' sources. An undo inverts from it.
     */
    before: jsonb('before').$type<unknown>(),
    /** How the account was correlated (core/explain-record.ts), for the explain of the event. */
    correlation: jsonb('correlation').$type<unknown>(),
    outcome: text('outcome', { enum: eventOutcomes }).notNull(),
    error: jsonb('error').$type<{ code: string; message: string; policy?: unknown }>(),
    createdAt: createdAt(),
  },
  (t) => [
    oneOf('run_events_outcome_check', t.outcome, eventOutcomes),
    uniqueIndex('run_events_run_seq').on(t.runId, t.seq),
    index('run_events_run_situation').on(t.runId, t.situation),
    index('run_events_run_outcome').on(t.runId, t.outcome),
    // The apply journal's work list: the planned actions in plan order, read a batch at a time
    // from the last one applied. It holds only what is still to do, so a batch costs the same
    // at the end of a large apply as at its start.
    index('run_events_planned').on(t.runId, t.seq).where(sql`${t.outcome} = 'planned'`),
  ],
);
