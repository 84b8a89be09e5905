import { sql } from 'drizzle-orm';
import { boolean, index, jsonb, pgTable, real, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import type { LookupRequest } from '../../core/connector-port.ts';
import { runModes, runStatuses, runTriggers } from '../../core/model.ts';
import type { RunCounts } from '../../core/store-port.ts';
import { createdAt, id, oneOf } from './columns.ts';
import { reconConfigs } from './recon-configs.ts';

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
    mode: text('mode', { enum: runModes }).notNull().default('full'),
    trigger: text('trigger', { enum: runTriggers }).notNull().default('manual'),
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
    /** The token name (or `cli`, `schedule`) that started the run. */
    startedBy: text('started_by'),
    /** Who approved an applied plan (the token's name), for `trigger: apply` runs. */
    approvedBy: text('approved_by'),
    /** The dry run or held run whose plan this `apply` run carries out. */
    appliedFrom: text('applied_from'),
    /** SHA-256 over the ordered planned actions of a dry run or a held plan. */
    planHash: text('plan_hash'),
    /** The schedule tick a scheduled (or skipped) run belongs to. */
    scheduledFor: timestamp('scheduled_for', { withTimezone: true, mode: 'date' }),
    /** The policy versions the run uses, fixed when it starts. */
    policies: jsonb('policies').$type<Array<{ path: string; hash: string }>>(),
    /**
     * What the run read under: the target query policy's query, the search filter, the attributes.
     * An approved plan's drift check reads each object the same way (copied to its apply run).
     */
    readRequest: jsonb('read_request').$type<LookupRequest>(),
    /** `keys` and `live` runs: the objects they are for (unique field keys, or `idm:<id>`). */
    keys: jsonb('keys').$type<string[]>(),
    /**
     * A stored cancel request (docs/api.md `POST /api/runs/:id/cancel`): whichever server executes the
     * run sees it at its next batch boundary, even one that took the run over from a dead server.
     */
    cancelRequestedAt: timestamp('cancel_requested_at', { withTimezone: true, mode: 'date' }),
    /** The token name that asked to cancel the run. */
    cancelledBy: text('cancelled_by'),
    /** An `undo` plan: the run whose applied actions it inverts. */
    undoOf: text('undo_of'),
    /**
     * The config as the run used it (situation table, attribute sync, gates), so the explain of
     * an event reads what decided it, not the config as it is today.
     */
    configSnapshot: jsonb('config_snapshot').$type<unknown>(),
    createdAt: createdAt(),
  },
  (t) => [
    oneOf('runs_status_check', t.status, runStatuses),
    index('runs_config_created').on(t.configId, t.createdAt),
    index('runs_created').on(t.createdAt),
    oneOf('runs_mode_check', t.mode, runModes),
    oneOf('runs_trigger_check', t.trigger, runTriggers),
    uniqueIndex('runs_one_active_per_config').on(t.configId).where(sql`${t.status} in ('queued', 'running')`),
    /** One run per config and schedule tick, whichever server fires first (docs/design.md "Surfaces"). */
    /** A plan is applied once: a second `apply` of the same run loses here, whatever the race. */
    uniqueIndex('runs_one_apply_per_plan').on(t.appliedFrom).where(sql`${t.appliedFrom} is not null`),
    uniqueIndex('runs_one_per_tick').on(t.configId, t.scheduledFor).where(sql`${t.scheduledFor} is not null`),
  ],
);

export type RunRow = typeof runs.$inferSelect;
