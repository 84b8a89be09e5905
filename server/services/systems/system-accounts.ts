import { eq } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { managedSystems } from '../../db/schema/managed-systems.ts';
import {
  type AccountLinkState,
  type LastReadAccount,
  type LastReadFilter,
  lastReadAccounts,
} from '../../store/last-read-accounts.ts';

export type { AccountLinkState, LastReadAccount };

export type SystemAccountsOutcome =
  | {
      outcome: 'listed';
      items: LastReadAccount[];
      next: { objectType: string; key: string } | null;
    }
  | { outcome: 'not_found' };

/**
 * A system's accounts as its configs' last full runs read them, with their link state now
 * (docs/api.md `GET /api/systems/:id/accounts`): from what the runs kept, never a new read.
 */
export function createSystemAccounts({ db }: { db: Database }) {
  const store = lastReadAccounts(db);
  return {
    async list(systemId: string, filter: LastReadFilter): Promise<SystemAccountsOutcome> {
      const [system] = await db.orm
        .select({ id: managedSystems.id })
        .from(managedSystems)
        .where(eq(managedSystems.id, systemId));
      if (!system) return { outcome: 'not_found' };
      const rows = await store.list(systemId, { ...filter, limit: filter.limit + 1 });
      const items = rows.slice(0, filter.limit);
      const last = items.at(-1);
      return {
        outcome: 'listed',
        items,
        next: rows.length > filter.limit && last ? { objectType: last.objectType, key: last.key } : null,
      };
    },
  };
}

export type SystemAccounts = ReturnType<typeof createSystemAccounts>;
