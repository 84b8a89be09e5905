import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { id, oneOf, timestamps } from './columns.ts';
import { runs } from './runs.ts';

/** docs/api.md "Mail and reports": the completion mail, and the DO_NOTHING report of configs that keep one. */
export const notificationKinds = ['completion', 'do_nothing'] as const;
export type NotificationKind = (typeof notificationKinds)[number];
/** `queued` until sent (retried with backoff on failure); `failed` once the retries are spent. */
export const notificationStatuses = ['queued', 'sent', 'failed'] as const;
export type NotificationStatus = (typeof notificationStatuses)[number];

/**
 * One mail of a run and how its delivery stands. The row is written before the first attempt,
 * so a server that restarts (or another server) picks up what is still queued.
 */
export const runNotifications = pgTable(
  'run_notifications',
  {
    id: id(),
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: notificationKinds }).notNull(),
    to: jsonb('to').$type<string[]>().notNull(),
    /** The post-processor's `notify.message`, a line in the mail. */
    message: text('message'),
    status: text('status', { enum: notificationStatuses }).notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    error: text('error'),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, mode: 'date' }),
    /** Set while a server is sending it, so two servers never send one mail twice. */
    claimedUntil: timestamp('claimed_until', { withTimezone: true, mode: 'date' }),
    sentAt: timestamp('sent_at', { withTimezone: true, mode: 'date' }),
    ...timestamps,
  },
  (t) => [
    oneOf('run_notifications_kind_check', t.kind, notificationKinds),
    oneOf('run_notifications_status_check', t.status, notificationStatuses),
    uniqueIndex('run_notifications_run_kind').on(t.runId, t.kind),
    index('run_notifications_due').on(t.status, t.nextAttemptAt),
  ],
);

export type RunNotificationRow = typeof runNotifications.$inferSelect;
