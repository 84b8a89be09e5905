import { sql } from 'drizzle-orm';
import { boolean, check, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { id, timestamps } from './columns.ts';

/**
 * A managed system. `connection` holds the non-secret connection settings; the secret ones
 * (passwords, bind credentials) are in `encryptedSecrets`, AES-256-GCM under SECRET_KEY. `type`
 * is open: the connector registry (server/connectors/registry.ts) knows the built-in types and
 * the plugins of CONNECTORS_DIR, and the API checks it there; the table only keeps it a name.
 */
export const managedSystems = pgTable(
  'managed_systems',
  {
    id: id(),
    name: text('name').notNull().unique(),
    type: text('type').notNull(),
    trusted: boolean('trusted').notNull().default(false),
    uniqueFieldKey: text('unique_field_key').notNull(),
    connection: jsonb('connection').$type<Record<string, unknown>>().notNull().default({}),
    encryptedSecrets: text('encrypted_secrets'),
    attributes: jsonb('attributes').$type<string[]>().notNull().default([]),
    outboundMapping: jsonb('outbound_mapping').$type<Record<string, unknown> | string | null>(),
    /** docs/api.md "Live changes": how often to poll the connector for changes (null: never). */
    liveChanges: jsonb('live_changes').$type<{ pollSeconds: number | null }>(),
    /** The webhook's HMAC secret, sealed like `encryptedSecrets`; null: the webhook is refused. */
    encryptedWebhookSecret: text('encrypted_webhook_secret'),
    /** The last connection test's answer and time: pages show it after a restart too. */
    lastTest: jsonb('last_test').$type<{ ok: boolean; message: string }>(),
    lastTestAt: timestamp('last_test_at', { withTimezone: true, mode: 'date' }),
    ...timestamps,
  },
  (t) => [check('managed_systems_type_name', sql`${t.type} ~ '^[a-z][a-z0-9-]{0,62}$'`)],
);

export type ManagedSystemRow = typeof managedSystems.$inferSelect;
