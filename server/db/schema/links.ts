import { index, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { id, objectTypes, oneOf, timestamps } from './columns.ts';
import { managedSystems } from './managed-systems.ts';

export const linkStatuses = ['active', 'stale', 'tombstone'] as const;

/**
 * "Account `accountKey` on system S belongs to IDM object U". No foreign key to the IDM:
 * the link outlives its IDM object as a tombstone, so "IDM deleted, resource exists" can be
 * recognised.
 */
export const links = pgTable(
  'links',
  {
    id: id(),
    systemId: text('system_id')
      .notNull()
      .references(() => managedSystems.id, { onDelete: 'cascade' }),
    objectType: text('object_type', { enum: objectTypes }).notNull(),
    accountKey: text('account_key').notNull(),
    /**
     * `accountKey` as correlation compares it (core/normalize-key.ts), so a run looks links up by
     * key. Filled in by the engine at the start of a run for links written without it.
     */
    keyNorm: text('key_norm'),
    idmObjectId: text('idm_object_id').notNull(),
    status: text('status', { enum: linkStatuses }).notNull().default('active'),
    staleSince: timestamp('stale_since', { withTimezone: true, mode: 'date' }),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true, mode: 'date' }),
    ...timestamps,
  },
  (t) => [
    oneOf('links_status_check', t.status, linkStatuses),
    uniqueIndex('links_system_key').on(t.systemId, t.objectType, t.accountKey),
    index('links_idm_object').on(t.idmObjectId),
    index('links_system_key_norm').on(t.systemId, t.objectType, t.keyNorm),
  ],
);

export type LinkRow = typeof links.$inferSelect;
