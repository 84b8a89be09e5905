import { index, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, id } from './columns.ts';
import { idmObjects } from './idm-objects.ts';
import { managedSystems } from './managed-systems.ts';

/**
 * What an account holds on its system (a group DN, a role code), as last read by a
 * reconciliation, attached to the IDM object the account is linked to.
 */
export const entitlements = pgTable(
  'entitlements',
  {
    id: id(),
    systemId: text('system_id')
      .notNull()
      .references(() => managedSystems.id, { onDelete: 'cascade' }),
    accountKey: text('account_key').notNull(),
    idmObjectId: text('idm_object_id').references(() => idmObjects.id, { onDelete: 'set null' }),
    value: text('value').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('entitlements_unique').on(t.systemId, t.accountKey, t.value),
    index('entitlements_idm_object').on(t.idmObjectId),
  ],
);
