import { boolean, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { id, oneOf, timestamps } from './columns.ts';

export const systemTypes = ['csv', 'sql', 'ldap'] as const;
export type SystemType = (typeof systemTypes)[number];

/**
 * A managed system. `connection` holds the non-secret connection settings; the secret ones
 * (passwords, bind credentials) are in `encryptedSecrets`, AES-256-GCM under SECRET_KEY.
 */
export const managedSystems = pgTable(
  'managed_systems',
  {
    id: id(),
    name: text('name').notNull().unique(),
    type: text('type', { enum: systemTypes }).notNull(),
    trusted: boolean('trusted').notNull().default(false),
    uniqueFieldKey: text('unique_field_key').notNull(),
    connection: jsonb('connection').$type<Record<string, unknown>>().notNull().default({}),
    encryptedSecrets: text('encrypted_secrets'),
    attributes: jsonb('attributes').$type<string[]>().notNull().default([]),
    outboundMapping: jsonb('outbound_mapping').$type<Record<string, unknown> | string | null>(),
    ...timestamps,
  },
  (t) => [oneOf('managed_systems_type_check', t.type, systemTypes)],
);

export type ManagedSystemRow = typeof managedSystems.$inferSelect;
