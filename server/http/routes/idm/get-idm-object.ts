import { z } from 'zod';
import { unhandled } from '../../../services/outcomes.ts';
import { ApiError } from '../../errors.ts';
import { type ApiRoute, defineRoute, pathParam } from '../../route.ts';
import { type IdmCollection, idmCollections, idmObjectSchema } from './idm-view.ts';

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
      const found = await services.idm.get(type, id);
      switch (found.outcome) {
        case 'found': {
          const response: IdmDetailResponse = found.object;
          return c.json(response);
        }
        case 'not_found':
          throw new ApiError('NOT_FOUND', `no IDM ${type.toLowerCase()} with id "${id}"`);
        default:
          return unhandled(found);
      }
    },
  });
}

/** One detail route per object type. */
export const getIdmRoutes: ApiRoute[] = (Object.keys(idmCollections) as IdmCollection[]).map(detailRoute);
