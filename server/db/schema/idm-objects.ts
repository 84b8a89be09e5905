import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { id, objectTypes, oneOf, timestamps } from './columns.ts';

export const idmStatuses = ['active', 'disabled', 'deleted'] as const;

/**
 * The IDM: users, groups, roles and organizations in one table, told apart by `type`.
 * The usual recon keys have their own indexed columns; every other attribute lives in
 * `attributes`, whose GIN index serves equality look-ups on custom attributes.
 * Deletion is soft (`status = 'deleted'`) so links can keep pointing at a tombstone.
 */
export const idmObjects = pgTable(
  'idm_objects',
  {
    id: id(),
    type: text('type', { enum: objectTypes }).notNull(),
    name: text('name').notNull(),
    status: text('status', { enum: idmStatuses }).notNull().default('active'),
    login: text('login'),
    email: text('email'),
    employeeId: text('employee_id'),
    attributes: jsonb('attributes').$type<Record<string, unknown>>().notNull().default({}),
    /** Which system set each attribute and with what confidence: a less confident one may not overwrite it. */
    attributeSources: jsonb('attribute_sources')
      .$type<Record<string, { systemId: string; confidence: number }>>()
      .notNull()
      .default({}),
    /** Grows by one on every write: a reviewed plan compares it to see whether the object drifted. */
    version: integer('version').notNull().default(1),
    ...timestamps,
    deletedAt: timestamp('deleted_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    oneOf('idm_objects_type_check', t.type, objectTypes),
    oneOf('idm_objects_status_check', t.status, idmStatuses),
    index('idm_objects_type_name').on(t.type, t.name),
    index('idm_objects_type_login').on(t.type, t.login),
    index('idm_objects_type_email').on(t.type, sql`lower(${t.email})`),
    index('idm_objects_type_employee_id').on(t.type, t.employeeId),
    index('idm_objects_attributes').using('gin', sql`${t.attributes} jsonb_path_ops`),
    index('idm_objects_updated_at').on(t.type, t.updatedAt),
  ],
);

export type IdmObjectRow = typeof idmObjects.$inferSelect;
