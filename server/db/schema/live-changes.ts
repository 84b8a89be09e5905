import { sql } from 'drizzle-orm';
import { bigserial, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import type { Attributes } from '../../core/model.ts';
import { createdAt, oneOf } from './columns.ts';
import { reconConfigs } from './recon-configs.ts';

export const liveChangeOps = ['upsert', 'delete'] as const;
export const liveChangeSources = ['webhook', 'poll'] as const;

/**
 * docs/api.md "Live changes": one change of one object for one config, stored when it arrives (webhook
 * or polling) and marked done once a live run has processed it. The bigserial id is the arrival
 * order; the latest row of a key is what the live run reads for it.
 */
export const liveChanges = pgTable(
  'live_changes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    configId: text('config_id')
      .notNull()
      .references(() => reconConfigs.id, { onDelete: 'cascade' }),
    objectKey: text('object_key').notNull(),
    op: text('op', { enum: liveChangeOps }).notNull(),
    attributes: jsonb('attributes').$type<Attributes>(),
    source: text('source', { enum: liveChangeSources }).notNull(),
    /** Live runs that failed over this change; after `maxLiveAttempts` it is given up (done). */
    attempts: integer('attempts').notNull().default(0),
    doneAt: timestamp('done_at', { withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
  },
  (t) => [
    oneOf('live_changes_op', t.op, liveChangeOps),
    oneOf('live_changes_source', t.source, liveChangeSources),
    index('live_changes_pending').on(t.configId, t.id).where(sql`${t.doneAt} is null`),
  ],
);

export type LiveChangeRow = typeof liveChanges.$inferSelect;
