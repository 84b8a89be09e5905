import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { idmObjects } from './idm-objects.ts';
import { reconConfigs } from './recon-configs.ts';
import { runs } from './runs.ts';

/**
 * The correlation keys of IDM objects, by kind: `attr:<name>` (a recon key's IDM attribute) or
 * `rule:<policy hash>` (a matching rule's `idmKeys`). Runs look accounts' keys up here instead of
 * holding the IDM side in memory; `idm_key_sets` says for which object version a set was made, so
 * only objects written since need their keys again.
 */
export const idmKeys = pgTable(
  'idm_keys',
  {
    kind: text('kind').notNull(),
    key: text('key').notNull(),
    idmObjectId: text('idm_object_id')
      .notNull()
      .references(() => idmObjects.id, { onDelete: 'cascade' }),
  },
  (t) => [
    uniqueIndex('idm_keys_kind_key').on(t.kind, t.key, t.idmObjectId),
    index('idm_keys_object').on(t.idmObjectId, t.kind),
  ],
);

export const idmKeySets = pgTable(
  'idm_key_sets',
  {
    idmObjectId: text('idm_object_id')
      .notNull()
      .references(() => idmObjects.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    version: integer('version').notNull(),
  },
  (t) => [primaryKey({ columns: [t.idmObjectId, t.kind] })],
);

/**
 * A run's accounts while it plans (docs/design.md "Scale"): copied in as the connector reads
 * (with each account's normalised key, content hash and recon key values), correlated by a few
 * set-based statements, then read back in slices to decide. A full run's rows stay as the
 * config's last read; the others are deleted once the plan is stored.
 */
export const runAccounts = pgTable(
  'run_accounts',
  {
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    keyNorm: text('key_norm').notNull(),
    account: jsonb('account').notNull(),
    /** accountContentHash of the account (core/drift.ts), when the run may reuse decisions. */
    accountHash: text('account_hash'),
    /** Staged by a second read that must not report a key read twice (an incremental run's). */
    quiet: boolean('quiet').notNull().default(false),
    /** The keys the account was correlated by: its recon key values, or the matching rule's. */
    keys: text('keys').array(),
    /** The IDM object the account correlated with, if exactly one. */
    idmObjectId: text('idm_object_id'),
    via: text('via'),
    candidates: jsonb('candidates').$type<string[]>().notNull().default([]),
    /** The matching rule's score of each candidate it scored, by IDM object id. */
    scores: jsonb('scores').$type<Record<string, number | null>>(),
    /** The link the account was correlated by (`links.id`). */
    linkId: text('link_id'),
    /** A remembered no-op holds for the pair (decision_memos): its situation and response. */
    settledSituation: text('settled_situation'),
    settledResponse: text('settled_response'),
  },
  (t) => [
    primaryKey({ columns: [t.runId, t.seq] }),
    index('run_accounts_run_idm').on(t.runId, t.idmObjectId),
  ],
);

/**
 * The accounts of a run as the connector read them, copied in (COPY) before correlation: no index
 * and no foreign key, so the copy costs only the rows. One statement correlates them into
 * `run_accounts` and deletes them (docs/design.md "Scale").
 */
export const runReads = pgTable('run_reads', {
  runId: text('run_id').notNull(),
  seq: integer('seq').notNull(),
  keyNorm: text('key_norm').notNull(),
  account: jsonb('account').notNull(),
  accountHash: text('account_hash'),
  keys: text('keys').array().notNull(),
  quiet: boolean('quiet').notNull(),
});

/** The IDM objects some account of the run pointed at (candidate or link): not "resource missing". */
export const runSeen = pgTable(
  'run_seen',
  {
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    idmObjectId: text('idm_object_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.idmObjectId] })],
);

/**
 * What a pair needed no action for (docs: "Skip what did not change"): when a later run meets
 * the same account content, the same IDM object at the same version, under the same config,
 * policies and vars (`basis`), it records the same no-op without deciding again.
 */
export const decisionMemos = pgTable(
  'decision_memos',
  {
    configId: text('config_id')
      .notNull()
      .references(() => reconConfigs.id, { onDelete: 'cascade' }),
    keyNorm: text('key_norm').notNull(),
    accountHash: text('account_hash').notNull(),
    idmObjectId: text('idm_object_id').notNull(),
    idmVersion: integer('idm_version').notNull(),
    basis: text('basis').notNull(),
    situation: text('situation').notNull(),
    response: text('response').notNull(),
  },
  (t) => [primaryKey({ columns: [t.configId, t.keyNorm] })],
);

/**
 * When each kind of key set was last brought up to date, per object type (database time): the
 * next refresh looks only at objects written since, through the `updated_at` index.
 */
export const idmKeyKinds = pgTable(
  'idm_key_kinds',
  {
    kind: text('kind').notNull(),
    objectType: text('object_type').notNull(),
    refreshedAt: timestamp('refreshed_at', { withTimezone: true, mode: 'string' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.objectType] })],
);
