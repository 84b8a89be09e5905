import { jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { id, oneOf, timestamps } from './columns.ts';
import { reconConfigs } from './recon-configs.ts';
import { runs } from './runs.ts';

export const disputeStatuses = ['open', 'resolved', 'dismissed'] as const;
export type DisputeStatus = (typeof disputeStatuses)[number];

export type DisputeCandidate = {
  idmObjectId: string;
  /** The IDM object's name when the dispute was recorded (absent on rows recorded before it was kept). */
  name?: string | null;
  score: number | null;
  attributes: Record<string, unknown>;
};

/**
 * docs/api.md "Disputes": a DISPUTED account waiting for a person, one per config and account key. A
 * later run that finds it DISPUTED again updates this row; a dismissed one reopens only when its
 * candidates change (`candidatesKey`).
 */
export const disputes = pgTable(
  'disputes',
  {
    id: id(),
    configId: text('config_id')
      .notNull()
      .references(() => reconConfigs.id, { onDelete: 'cascade' }),
    /** The run that opened it (or last updated it): its history gets the decision's event. */
    runId: text('run_id').references(() => runs.id, { onDelete: 'set null' }),
    objectKey: text('object_key').notNull(),
    account: jsonb('account').$type<Record<string, unknown> | null>(),
    candidates: jsonb('candidates').$type<DisputeCandidate[]>().notNull(),
    /** The candidate ids, sorted and joined: what "the candidates changed" compares. */
    candidatesKey: text('candidates_key').notNull(),
    status: text('status', { enum: disputeStatuses }).notNull().default('open'),
    /** The candidate a person linked the account to (resolved disputes). */
    idmObjectId: text('idm_object_id'),
    decidedBy: text('decided_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true, mode: 'date' }),
    ...timestamps,
  },
  (t) => [
    oneOf('disputes_status_check', t.status, disputeStatuses),
    uniqueIndex('disputes_config_key').on(t.configId, t.objectKey),
  ],
);

export type DisputeRow = typeof disputes.$inferSelect;
