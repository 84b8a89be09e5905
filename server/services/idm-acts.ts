import { and, eq, sql } from 'drizzle-orm';
import type { ObjectType } from '../core/model.ts';
import { normalizeKey } from '../core/normalize-key.ts';
import type { Database } from '../db/client.ts';
import { type IdmAct, idmActions } from '../db/schema/idm-acts.ts';
import { idmObjects } from '../db/schema/idm-objects.ts';
import { links } from '../db/schema/links.ts';
import { managedSystems } from '../db/schema/managed-systems.ts';
import { type IdmObjectView, toIdmObjectView } from './idm-view.ts';

type Tx = Parameters<Parameters<Database['orm']['transaction']>[0]>[0];

export type IdmLinkView = {
  id: string;
  systemId: string;
  objectType: string;
  accountKey: string;
  status: string;
};

export type SetStatusOutcome =
  | { outcome: 'changed'; object: IdmObjectView }
  | { outcome: 'not_found' }
  | { outcome: 'unchanged'; status: string }
  | { outcome: 'deleted' };

export type LinkOutcome =
  | { outcome: 'linked'; link: IdmLinkView }
  | { outcome: 'not_found' }
  | { outcome: 'deleted' }
  | { outcome: 'system_not_found' }
  | { outcome: 'account_linked'; link: IdmLinkView & { idmObjectId: string } };

export type UnlinkOutcome =
  | { outcome: 'unlinked'; link: IdmLinkView }
  | { outcome: 'not_found' }
  | { outcome: 'link_not_found' };

const linkView = (row: typeof links.$inferSelect): IdmLinkView => ({
  id: row.id,
  systemId: row.systemId,
  objectType: row.objectType,
  accountKey: row.accountKey,
  status: row.status,
});

async function lockObject(tx: Tx, type: ObjectType, id: string) {
  const [row] = await tx
    .select()
    .from(idmObjects)
    .where(and(eq(idmObjects.id, id), eq(idmObjects.type, type)))
    .for('update');
  return row;
}

const record = (tx: Tx, idmObjectId: string, act: IdmAct, actor: string, details: Record<string, unknown>) =>
  tx.insert(idmActions).values({ idmObjectId, act, actor, details });

/**
 * An admin's acts on IDM objects by hand (docs/api.md `POST /api/idm/users/:id/enable` …): each writes
 * its change and the record of who did it in one transaction, and touches nothing else. The next
 * run sees the result like any other change of the IDM (a new version, a link or none).
 */
export function createIdmActs({ db }: { db: Database }) {
  return {
    /** Enables (`active`) or disables an object; a deleted one stays deleted. */
    setStatus(
      type: ObjectType,
      id: string,
      status: 'active' | 'disabled',
      actor: string,
    ): Promise<SetStatusOutcome> {
      return db.orm.transaction(async (tx) => {
        const row = await lockObject(tx, type, id);
        if (!row) return { outcome: 'not_found' } as const;
        if (row.status === 'deleted') return { outcome: 'deleted' } as const;
        if (row.status === status) return { outcome: 'unchanged', status } as const;
        const [updated] = await tx
          .update(idmObjects)
          .set({ status, version: sql`${idmObjects.version} + 1`, updatedAt: sql`now()` })
          .where(eq(idmObjects.id, id))
          .returning();
        await record(tx, id, status === 'active' ? 'enabled' : 'disabled', actor, { before: row.status });
        return { outcome: 'changed', object: toIdmObjectView(updated!) } as const;
      });
    },

    /** Links an account of a system to the object; an account linked already must be unlinked first. */
    link(
      type: ObjectType,
      id: string,
      input: { systemId: string; accountKey: string },
      actor: string,
    ): Promise<LinkOutcome> {
      return db.orm.transaction(async (tx) => {
        const row = await lockObject(tx, type, id);
        if (!row) return { outcome: 'not_found' } as const;
        if (row.status === 'deleted') return { outcome: 'deleted' } as const;
        const [system] = await tx
          .select({ id: managedSystems.id, name: managedSystems.name })
          .from(managedSystems)
          .where(eq(managedSystems.id, input.systemId));
        if (!system) return { outcome: 'system_not_found' } as const;
        const [created] = await tx
          .insert(links)
          .values({
            systemId: input.systemId,
            objectType: type,
            accountKey: input.accountKey,
            keyNorm: normalizeKey(input.accountKey),
            idmObjectId: id,
          })
          .onConflictDoNothing()
          .returning();
        if (!created) {
          const [existing] = await tx
            .select()
            .from(links)
            .where(
              and(
                eq(links.systemId, input.systemId),
                eq(links.objectType, type),
                eq(links.accountKey, input.accountKey),
              ),
            );
          return {
            outcome: 'account_linked',
            link: { ...linkView(existing!), idmObjectId: existing!.idmObjectId },
          } as const;
        }
        await record(tx, id, 'linked', actor, {
          linkId: created.id,
          systemId: system.id,
          systemName: system.name,
          accountKey: input.accountKey,
        });
        return { outcome: 'linked', link: linkView(created) } as const;
      });
    },

    /** Removes one of the object's links: the next run meets the account as if never linked. */
    unlink(type: ObjectType, id: string, linkId: string, actor: string): Promise<UnlinkOutcome> {
      return db.orm.transaction(async (tx) => {
        const row = await lockObject(tx, type, id);
        if (!row) return { outcome: 'not_found' } as const;
        const [gone] = await tx
          .delete(links)
          .where(and(eq(links.id, linkId), eq(links.idmObjectId, id)))
          .returning();
        if (!gone) return { outcome: 'link_not_found' } as const;
        const [system] = await tx
          .select({ name: managedSystems.name })
          .from(managedSystems)
          .where(eq(managedSystems.id, gone.systemId));
        await record(tx, id, 'unlinked', actor, {
          linkId: gone.id,
          systemId: gone.systemId,
          systemName: system?.name ?? null,
          accountKey: gone.accountKey,
        });
        return { outcome: 'unlinked', link: linkView(gone) } as const;
      });
    },
  };
}

export type IdmActs = ReturnType<typeof createIdmActs>;
