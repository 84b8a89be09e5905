import { bigserial, index, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt, oneOf } from './columns.ts';
import { runs } from './runs.ts';

export const policyLogLevels = ['debug', 'info', 'warn', 'error'] as const;

/**
 * Log lines policies wrote during a run (SDK `log`), rate-limited per call and per run. A line
 * written for one object names it (`object_key` for an account, `idm_object_id` for an IDM
 * object) and shows in that object's event; a line from a per-run call names neither and shows in
 * the run-level event (server/sandbox/policy-logs.ts).
 */
export const policyLogs = pgTable(
  'policy_logs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    objectKey: text('object_key'),
    idmObjectId: text('idm_object_id'),
    policy: text('policy').notNull(),
    /** Where the policy wrote it, in its own TypeScript (a helper file it imports, perhaps). */
    file: text('file'),
    line: integer('line'),
    column: integer('column'),
    level: text('level', { enum: policyLogLevels }).notNull(),
    message: text('message').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    oneOf('policy_logs_level_check', t.level, policyLogLevels),
    index('policy_logs_run_object').on(t.runId, t.objectKey),
    index('policy_logs_run_idm_object').on(t.runId, t.idmObjectId),
  ],
);
