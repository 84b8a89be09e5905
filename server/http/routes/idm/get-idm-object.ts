import { and, asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { entitlements } from '../../../db/schema/entitlements.ts';
import { idmMemberships } from '../../../db/schema/idm-memberships.ts';
import { idmObjects } from '../../../db/schema/idm-objects.ts';
import { links } from '../../../db/schema/links.ts';
import { managedSystems } from '../../../db/schema/managed-systems.ts';
import { ApiError } from '../../errors.ts';
import { type ApiRoute, defineRoute, pathParam } from '../../route.ts';
import { type IdmCollection, idmCollections, idmObjectSchema, toIdmObject } from './idm-view.ts';

const membershipSchema = z.object({
  id: z.string(),
  type: z.string(),
  name: z.string(),
  status: z.string(),
  systemId: z.string().nullable(),
});
const linkSchema = z.object({
  id: z.string(),
  systemId: z.string(),
  systemName: z.string().nullable(),
  objectType: z.string(),
  accountKey: z.string(),
  status: z.string(),
  staleSince: z.string().nullable(),
  lastSeenAt: z.string().nullable(),
});

export const idmDetailSchema = idmObjectSchema.extend({
  /** Groups, roles and organizations this object belongs to, with the system that contributed each. */
  memberOf: z.array(membershipSchema),
  /** For groups, roles and organizations: their members (at most 1000). */
  members: z.array(membershipSchema),
  links: z.array(linkSchema),
  entitlements: z.array(z.object({ systemId: z.string(), accountKey: z.string(), value: z.string() })),
});
export type IdmDetailResponse = z.infer<typeof idmDetailSchema>;

const maxMembers = 1000;

function detailRoute(collection: IdmCollection): ApiRoute {
  const type = idmCollections[collection];
  return defineRoute({
    method: 'GET',
    path: `/api/idm/${collection}/:id`,
    tag: 'idm',
    summary: `One IDM ${type.toLowerCase()} with its memberships, links to accounts and entitlements`,
    status: 200,
    response: idmDetailSchema,
    handler: (services) => async (c) => {
      const id = pathParam(c, 'id');
      const { orm } = services.db;
      const [row] = await orm
        .select()
        .from(idmObjects)
        .where(and(eq(idmObjects.id, id), eq(idmObjects.type, type)))
        .limit(1);
      if (!row) throw new ApiError('NOT_FOUND', `no IDM ${type.toLowerCase()} with id "${id}"`);
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
      const response: IdmDetailResponse = {
        ...toIdmObject(row),
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
        })),
        entitlements: entitlementRows,
      };
      return c.json(response);
    },
  });
}

/** One detail route per object type. */
export const getIdmRoutes: ApiRoute[] = (Object.keys(idmCollections) as IdmCollection[]).map(detailRoute);
