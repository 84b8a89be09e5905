import { index, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt, id, oneOf } from './columns.ts';

/** What a person may do to an IDM object by hand (docs/api.md `POST /api/idm/users/:id/…`). */
export const idmActs = ['enabled', 'disabled', 'linked', 'unlinked'] as const;
export type IdmAct = (typeof idmActs)[number];

/**
 * An admin's act on one IDM object outside any run: who did it, when, and what it touched. The
 * object's history shows these beside the events of the runs that touched it. No foreign key to
 * the IDM: the record outlives the object, as links do.
 */
export const idmActions = pgTable(
  'idm_actions',
  {
    id: id(),
    idmObjectId: text('idm_object_id').notNull(),
    act: text('act', { enum: idmActs }).notNull(),
    /** The token name of the person who acted. */
    actor: text('actor').notNull(),
    /** The act's particulars: the status before, or the link's system and account key. */
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [
    oneOf('idm_actions_act_check', t.act, idmActs),
    index('idm_actions_object').on(t.idmObjectId, t.createdAt),
  ],
);

export type IdmActionRow = typeof idmActions.$inferSelect;
