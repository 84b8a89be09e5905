import { createRoute, z } from '@hono/zod-openapi';
import type { Services } from '../../../services/index.ts';
import { unhandled } from '../../../services/outcomes.ts';
import { access, errorResponses, idParam, json } from '../../api-route.ts';
import type { ApiApp } from '../../app-env.ts';
import { ApiError } from '../../errors.ts';
import { type IdmCollection, idmCollections } from './idm-view.ts';
import { type IdmLinkResponse, idmLinkSchema } from './link-idm-object.ts';

const params = z.object({
  id: idParam.openapi({ param: { name: 'id', in: 'path' } }),
  linkId: idParam.openapi({ param: { name: 'linkId', in: 'path' } }),
});

function unlinkRoute(collection: IdmCollection) {
  const type = idmCollections[collection].toLowerCase();
  return createRoute({
    method: 'delete',
    path: `/api/idm/${collection}/{id}/links/{linkId}`,
    ...access('admin'),
    tags: ['idm'],
    summary: `Unlink an account from an IDM ${type} by hand, recorded in its history with who did it`,
    request: { params },
    responses: { 200: json(idmLinkSchema, 'the removed link'), ...errorResponses },
  });
}

const routes = (Object.keys(idmCollections) as IdmCollection[]).map((collection) => ({
  collection,
  route: unlinkRoute(collection),
}));

/** `DELETE /api/idm/<collection>/:id/links/:linkId`, for every object type. */
export function registerUnlinkIdmObject(app: ApiApp, services: Services) {
  for (const { collection, route } of routes) {
    const type = idmCollections[collection];
    app.openapi(route, async (c) => {
      const { id, linkId } = c.req.valid('param');
      const caller = c.get('caller');
      if (!caller) throw new ApiError('UNAUTHORIZED', 'missing token');
      const result = await services.idm.unlink(type, id, linkId, caller.name);
      switch (result.outcome) {
        case 'unlinked': {
          const response: IdmLinkResponse = result.link;
          return c.json(response, 200);
        }
        case 'not_found':
          throw new ApiError('NOT_FOUND', `no IDM ${type.toLowerCase()} with id "${id}"`);
        case 'link_not_found':
          throw new ApiError('NOT_FOUND', `the ${type.toLowerCase()} has no link with id "${linkId}"`);
        default:
          return unhandled(result);
      }
    });
  }
}
