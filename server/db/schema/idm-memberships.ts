import { sql } from 'drizzle-orm';
import { index, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, id } from './columns.ts';
import { idmObjects } from './idm-objects.ts';
import { managedSystems } from './managed-systems.ts';

/**
 * Membership of an IDM object in a group, role or organization. `systemId` names the managed
 * system that contributed it (null when made in the IDM itself): a reconciliation replaces only
 * the memberships its own system contributed (IDHub's rule).
 */
export const idmMemberships = pgTable(
  'idm_memberships',
  {
    id: id(),
    memberId: text('member_id')
      .notNull()
      .references(() => idmObjects.id, { onDelete: 'cascade' }),
    targetId: text('target_id')
      .notNull()
      .references(() => idmObjects.id, { onDelete: 'cascade' }),
    systemId: text('system_id').references(() => managedSystems.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('idm_memberships_unique').on(t.memberId, t.targetId, sql`coalesce(${t.systemId}, '')`),
    index('idm_memberships_target').on(t.targetId),
  ],
);
