import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { reconConfigs } from './recon-configs.ts';
import { runs } from './runs.ts';

/** Where the last successful, non-dry run of a config stopped reading. */
export const watermarks = pgTable('watermarks', {
  configId: text('config_id')
    .primaryKey()
    .references(() => reconConfigs.id, { onDelete: 'cascade' }),
  value: text('value').notNull(),
  runId: text('run_id').references(() => runs.id, { onDelete: 'set null' }),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});
