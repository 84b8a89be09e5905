import { boolean, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import type { SourceGuard } from '../../core/source-guard.ts';
import { id, objectTypes, oneOf, timestamps } from './columns.ts';
import { managedSystems } from './managed-systems.ts';

export type AttributeSync = Record<
  string,
  { direction: 'toIdm' | 'toSystem' | 'both' | 'none'; confidence?: number }
>;
export type DeletionThreshold = { count?: number; percent?: number };

/** One reconciliation config: a managed system and an object type, with its policies. */
export const reconConfigs = pgTable(
  'recon_configs',
  {
    id: id(),
    systemId: text('system_id')
      .notNull()
      .references(() => managedSystems.id, { onDelete: 'cascade' }),
    name: text('name'),
    objectType: text('object_type', { enum: objectTypes }).notNull(),
    status: text('status', { enum: ['active', 'inactive'] })
      .notNull()
      .default('active'),
    frequency: text('frequency'),
    timezone: text('timezone').notNull().default('UTC'),
    notificationEmail: text('notification_email'),
    sendDoNothingReport: boolean('send_do_nothing_report').notNull().default(false),
    reportFormat: text('report_format', { enum: ['html', 'csv'] })
      .notNull()
      .default('html'),
    targetQueryPolicy: text('target_query_policy'),
    targetSearchFilter: text('target_search_filter'),
    idmQueryPolicy: text('idm_query_policy'),
    idmSearchFilter: jsonb('idm_search_filter').$type<unknown>(),
    updatedSince: timestamp('updated_since', { withTimezone: true, mode: 'date' }),
    sourceAttributeName: text('source_attribute_name'),
    idmField: text('idm_field'),
    idmCustomAttribute: text('idm_custom_attribute'),
    matchingPolicy: text('matching_policy'),
    preProcessorPolicy: text('pre_processor_policy'),
    postProcessorPolicy: text('post_processor_policy'),
    customProcessorPolicy: text('custom_processor_policy'),
    policyMap: jsonb('policy_map').$type<string[]>().notNull().default([]),
    attributeSync: jsonb('attribute_sync').$type<AttributeSync>().notNull().default({}),
    deletionThreshold: jsonb('deletion_threshold').$type<DeletionThreshold>().notNull().default({}),
    staleDays: integer('stale_days').notNull().default(0),
    /** The account attribute that lists the account's memberships (IDHub entitlements), if any. */
    entitlementAttribute: text('entitlement_attribute'),
    /** docs/api.md "Runs": `{ minAccounts?, maxDropPercent? }`; null turns it off. */
    sourceGuard: jsonb('source_guard').$type<SourceGuard | null>().default({ minAccounts: 1 }),
    ...timestamps,
  },
  (t) => [oneOf('recon_configs_object_type_check', t.objectType, objectTypes)],
);

export type ReconConfigRow = typeof reconConfigs.$inferSelect;
