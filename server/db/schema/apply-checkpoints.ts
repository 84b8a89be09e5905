import { integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { runs } from './runs.ts';

/**
 * How far an `apply` run has drift-checked its plan, per pass (`idm`, `system`). A batch is checked
 * and its drifted actions flipped to `skipped` before any of it is written; after a crash the
 * resumed run trusts the check of a half-written batch instead of re-checking objects it already
 * changed itself.
 */
export const applyCheckpoints = pgTable(
  'apply_checkpoints',
  {
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    side: text('side', { enum: ['idm', 'system'] }).notNull(),
    checkedThrough: integer('checked_through').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.side] })],
);
