import { sql } from 'drizzle-orm';
import { boolean, index, jsonb, pgTable, real, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, id, oneOf } from './columns.ts';
import { reconConfigs } from './recon-configs.ts';

export const runStatuses = [
  'queued',
  'running',
  'succeeded',
  'failed',
  'stopped_by_threshold',
  'aborted_by_preprocessor',
  'cancelled',
] as const;
export type RunStatus = (typeof runStatuses)[number];

export type RunCounts = {
  situations: Record<string, number>;
  responses: Record<string, number>;
  errors: number;
};

/**
 * One execution of a config; its events are the activity history. The partial unique index
 * allows one queued or running run per config across every server sharing the database.
 */
export const runs = pgTable(
  'runs',
  {
    id: id(),
    configId: text('config_id').references(() => reconConfigs.id, { onDelete: 'set null' }),
    dryRun: boolean('dry_run').notNull().default(false),
    mode: text('mode', { enum: ['full', 'incremental'] })
      .notNull()
      .default('full'),
    trigger: text('trigger', { enum: ['manual', 'schedule', 'api', 'cli', 'live'] })
      .notNull()
      .default('manual'),
    status: text('status', { enum: runStatuses }).notNull().default('queued'),
    phase: text('phase'),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
    heartbeatAt: timestamp('heartbeat_at', { withTimezone: true, mode: 'date' }),
    /** `host:pid` of the process executing the run: a run whose owner is gone is resumed. */
    owner: text('owner'),
    counts: jsonb('counts')
      .$type<RunCounts>()
      .notNull()
      .default({ situations: {}, responses: {}, errors: 0 }),
    throughput: real('throughput'),
    watermarkBefore: text('watermark_before'),
    watermarkAfter: text('watermark_after'),
    vars: jsonb('vars').$type<Record<string, unknown>>(),
    error: jsonb('error').$type<{ code: string; message: string; details?: unknown }>(),
    createdAt: createdAt(),
  },
  (t) => [
    oneOf('runs_status_check', t.status, runStatuses),
    index('runs_config_created').on(t.configId, t.createdAt),
    index('runs_created').on(t.createdAt),
    uniqueIndex('runs_one_active_per_config').on(t.configId).where(sql`${t.status} in ('queued', 'running')`),
  ],
);

export type RunRow = typeof runs.$inferSelect;
