import { createRoute, z } from '@hono/zod-openapi';
import type { Services } from '../../../services/index.ts';
import { unhandled } from '../../../services/outcomes.ts';
import { access, errorResponses, idParam, idParams, json, jsonBody } from '../../api-route.ts';
import type { ApiApp } from '../../app-env.ts';
import { ApiError } from '../../errors.ts';
import { type IdmCollection, idmCollections } from './idm-view.ts';

export const idmLinkSchema = z.object({
  id: z.string(),
  systemId: z.string(),
  objectType: z.string(),
  accountKey: z.string(),
  status: z.string(),
});
export type IdmLinkResponse = z.infer<typeof idmLinkSchema>;

export const linkIdmBody = z.strictObject({
  systemId: idParam.describe('the managed system of the account'),
  accountKey: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(1000)
    .describe("the account's unique field key (DN, employee number, …)"),
});

function linkRoute(collection: IdmCollection) {
  const type = idmCollections[collection].toLowerCase();
  return createRoute({
    method: 'post',
    path: `/api/idm/${collection}/{id}/links`,
    ...access('admin'),
    tags: ['idm'],
    summary: `Link an account to an IDM ${type} by hand, recorded in its history with who did it`,
    request: { params: idParams, body: jsonBody(linkIdmBody) },
    responses: { 201: json(idmLinkSchema, 'the new link'), ...errorResponses },
  });
}

const routes = (Object.keys(idmCollections) as IdmCollection[]).map((collection) => ({
  collection,
  route: linkRoute(collection),
}));

/** `POST /api/idm/<collection>/:id/links`, for every object type. */
export function registerLinkIdmObject(app: ApiApp, services: Services) {
  for (const { collection, route } of routes) {
    const type = idmCollections[collection];
    app.openapi(route, async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const caller = c.get('caller');
      if (!caller) throw new ApiError('UNAUTHORIZED', 'missing token');
      const result = await services.idm.link(type, id, body, caller.name);
      switch (result.outcome) {
        case 'linked': {
          const response: IdmLinkResponse = result.link;
          return c.json(response, 201);
        }
        case 'not_found':
          throw new ApiError('NOT_FOUND', `no IDM ${type.toLowerCase()} with id "${id}"`);
        case 'deleted':
          throw new ApiError(
            'CONFLICT',
            `the ${type.toLowerCase()} is deleted: link accounts to a live object`,
          );
        case 'system_not_found':
          throw new ApiError('VALIDATION_FAILED', `systemId: no managed system with id "${body.systemId}"`, [
            { path: 'systemId', message: 'no such managed system' },
          ]);
        case 'account_linked':
          throw new ApiError(
            'CONFLICT',
            `the account "${body.accountKey}" is linked already (to IDM object ${result.link.idmObjectId}): unlink it first`,
            { link: result.link },
          );
        default:
          return unhandled(result);
      }
    });
  }
}
