import { and, asc, eq, gt, or, type SQL, sql } from 'drizzle-orm';
import type { ObjectType } from '../core/model.ts';
import type { Database } from '../db/client.ts';
import { entitlements } from '../db/schema/entitlements.ts';
import { idmMemberships } from '../db/schema/idm-memberships.ts';
import { idmObjects, type idmStatuses } from '../db/schema/idm-objects.ts';
import { links } from '../db/schema/links.ts';
import { managedSystems } from '../db/schema/managed-systems.ts';
import { lastReadAccounts } from '../store/last-read-accounts.ts';
import { createIdmActs } from './idm-acts.ts';
import { type IdmHistoryEntry, idmHistory } from './idm-history.ts';
import { type IdmObjectView, toIdmObjectView } from './idm-view.ts';
import { type Invalid, invalid } from './outcomes.ts';

type IdmStatus = (typeof idmStatuses)[number];

type Related = { id: string; type: string; name: string; status: string; systemId: string | null };

export type IdmDetailView = IdmObjectView & {
  /** Groups, roles and organizations this object belongs to, with the system that contributed each. */
  memberOf: Related[];
  /** For groups, roles and organizations: their members (at most 1000). */
  members: Related[];
  links: Array<{
    id: string;
    systemId: string;
    systemName: string | null;
    objectType: string;
    accountKey: string;
    status: string;
    staleSince: string | null;
    lastSeenAt: string | null;
    /** The account as its system's last full run read it (null: no full run read it). */
    account: { attributes: Record<string, unknown>; readAt: string | null; runId: string } | null;
  }>;
  entitlements: Array<{ systemId: string; accountKey: string; value: string }>;
  /** The runs' events about it and the acts on it by hand, newest first. */
  history: IdmHistoryEntry[];
};

export type IdmListFilter = {
  status?: IdmStatus;
  /** Prefix of the name, login or email (case-insensitive). */
  q?: string;
  /** `attribute.<name>=<value>`: the attribute equals the value, or (multi-valued) holds it. */
  attributes: Array<{ name: string; value: string }>;
  after?: { name: string; id: string };
  limit: number;
};

export const maxAttributeFilters = 20;
const maxMembers = 1000;

/** Attributes kept in their own columns; everything else is in the JSONB `attributes`. */
const columns = {
  name: idmObjects.name,
  login: idmObjects.login,
  email: idmObjects.email,
  employeeId: idmObjects.employeeId,
};

/**
 * The IDM: objects of one type by name; one object with its memberships, links (with the accounts
 * as last read), entitlements and history; and an admin's acts by hand (`idm-acts.ts`).
 */
export function createIdmService({ db }: { db: Database }) {
  const { orm } = db;
  const accounts = lastReadAccounts(db);
  return {
    ...createIdmActs({ db }),
    async list(
      type: ObjectType,
      filter: IdmListFilter,
    ): Promise<
      { outcome: 'listed'; items: IdmObjectView[]; next: { name: string; id: string } | null } | Invalid
    > {
      if (filter.attributes.length > maxAttributeFilters) {
        return invalid('attribute', `at most ${maxAttributeFilters} attribute.<name> filters`);
      }
      const conditions: SQL[] = [eq(idmObjects.type, type)];
      for (const { name, value } of filter.attributes) {
        if (!/^[A-Za-z0-9_.:-]{1,100}$/.test(name))
          return invalid(`attribute.${name}`, 'not a valid attribute name');
        const column = columns[name as keyof typeof columns];
        conditions.push(
          column
            ? eq(column, value)
            : sql`(${idmObjects.attributes} ->> ${name} = ${value} or ${idmObjects.attributes} @> ${JSON.stringify({ [name]: [value] })}::jsonb)`,
        );
      }
      if (filter.status) conditions.push(eq(idmObjects.status, filter.status));
      if (filter.q) {
        const q = filter.q.toLowerCase();
        conditions.push(
          or(
            sql`starts_with(lower(${idmObjects.name}), ${q})`,
            sql`starts_with(lower(${idmObjects.login}), ${q})`,
            sql`starts_with(lower(${idmObjects.email}), ${q})`,
          )!,
        );
      }
      if (filter.after) {
        const { name, id } = filter.after;
        conditions.push(
          or(gt(idmObjects.name, name), and(eq(idmObjects.name, name), gt(idmObjects.id, id)))!,
        );
      }
      const rows = await orm
        .select()
        .from(idmObjects)
        .where(and(...conditions))
        .orderBy(asc(idmObjects.name), asc(idmObjects.id))
        .limit(filter.limit + 1);
      const page = rows.slice(0, filter.limit);
      const last = page.at(-1);
      return {
        outcome: 'listed',
        items: page.map(toIdmObjectView),
        next: rows.length > filter.limit && last ? { name: last.name, id: last.id } : null,
      };
    },

    /** How many objects of a type stand in each status. */
    async countByStatus(type: ObjectType): Promise<Record<IdmStatus, number>> {
      const rows = await orm
        .select({ status: idmObjects.status, n: sql<number>`count(*)::int` })
        .from(idmObjects)
        .where(eq(idmObjects.type, type))
        .groupBy(idmObjects.status);
      const counts: Record<IdmStatus, number> = { active: 0, disabled: 0, deleted: 0 };
      for (const row of rows) counts[row.status] = Number(row.n);
      return counts;
    },

    async get(
      type: ObjectType,
      id: string,
    ): Promise<{ outcome: 'found'; object: IdmDetailView } | { outcome: 'not_found' }> {
      const [row] = await orm
        .select()
        .from(idmObjects)
        .where(and(eq(idmObjects.id, id), eq(idmObjects.type, type)))
        .limit(1);
      if (!row) return { outcome: 'not_found' };
      const related = {
        id: idmObjects.id,
        type: idmObjects.type,
        name: idmObjects.name,
        status: idmObjects.status,
        systemId: idmMemberships.systemId,
      };
      const [memberOf, members, linkRows, entitlementRows] = await Promise.all([
        orm
          .select(related)
          .from(idmMemberships)
          .innerJoin(idmObjects, eq(idmObjects.id, idmMemberships.targetId))
          .where(eq(idmMemberships.memberId, id))
          .orderBy(asc(idmObjects.type), asc(idmObjects.name)),
        type === 'User'
          ? Promise.resolve([])
          : orm
              .select(related)
              .from(idmMemberships)
              .innerJoin(idmObjects, eq(idmObjects.id, idmMemberships.memberId))
              .where(eq(idmMemberships.targetId, id))
              .orderBy(asc(idmObjects.name))
              .limit(maxMembers),
        orm
          .select({ link: links, systemName: managedSystems.name })
          .from(links)
          .leftJoin(managedSystems, eq(managedSystems.id, links.systemId))
          .where(eq(links.idmObjectId, id))
          .orderBy(asc(managedSystems.name), asc(links.accountKey)),
        orm
          .select({
            systemId: entitlements.systemId,
            accountKey: entitlements.accountKey,
            value: entitlements.value,
          })
          .from(entitlements)
          .where(eq(entitlements.idmObjectId, id))
          .orderBy(asc(entitlements.systemId), asc(entitlements.value)),
      ]);
      const [read, history] = await Promise.all([
        accounts.ofLinks(linkRows.map(({ link }) => link)),
        idmHistory(db, id),
      ]);
      const readOf = (link: (typeof linkRows)[number]['link']) => {
        const account = read.find(
          (a) => a.link?.id === link.id || (a.objectType === link.objectType && a.key === link.accountKey),
        );
        return account
          ? { attributes: account.attributes, readAt: account.readAt, runId: account.runId }
          : null;
      };
      return {
        outcome: 'found',
        object: {
          ...toIdmObjectView(row),
          memberOf,
          members,
          links: linkRows.map(({ link, systemName }) => ({
            id: link.id,
            systemId: link.systemId,
            systemName,
            objectType: link.objectType,
            accountKey: link.accountKey,
            status: link.status,
            staleSince: link.staleSince?.toISOString() ?? null,
            lastSeenAt: link.lastSeenAt?.toISOString() ?? null,
            account: readOf(link),
          })),
          entitlements: entitlementRows,
          history,
        },
      };
    },
  };
}

export type IdmService = ReturnType<typeof createIdmService>;
