import { createRoute } from '@hono/zod-openapi';
import type { Services } from '../../../services/index.ts';
import { unhandled } from '../../../services/outcomes.ts';
import { access, errorResponses, idParams, json } from '../../api-route.ts';
import type { ApiApp } from '../../app-env.ts';
import { ApiError } from '../../errors.ts';
import { type IdmCollection, idmCollections, idmObjectSchema } from './idm-view.ts';

/** The two acts and the status each leaves. */
const acts = { enable: 'active', disable: 'disabled' } as const;
type Act = keyof typeof acts;

function statusRoute(collection: IdmCollection, act: Act) {
  const type = idmCollections[collection].toLowerCase();
  return createRoute({
    method: 'post',
    path: `/api/idm/${collection}/{id}/${act}`,
    ...access('admin'),
    tags: ['idm'],
    summary: `${act === 'enable' ? 'Enable' : 'Disable'} an IDM ${type} by hand, recorded in its history with who did it`,
    request: { params: idParams },
    responses: { 200: json(idmObjectSchema, `the ${type}, ${acts[act]}`), ...errorResponses },
  });
}

const pairs = (Object.keys(idmCollections) as IdmCollection[]).flatMap((collection) =>
  (Object.keys(acts) as Act[]).map((act) => ({ collection, act, route: statusRoute(collection, act) })),
);

/** `POST /api/idm/<collection>/:id/enable` and `/disable`, for every object type. */
export function registerSetIdmStatus(app: ApiApp, services: Services) {
  for (const { collection, act, route } of pairs) {
    const type = idmCollections[collection];
    app.openapi(route, async (c) => {
      const { id } = c.req.valid('param');
      const caller = c.get('caller');
      if (!caller) throw new ApiError('UNAUTHORIZED', 'missing token');
      const result = await services.idm.setStatus(type, id, acts[act], caller.name);
      switch (result.outcome) {
        case 'changed':
          return c.json(result.object, 200);
        case 'not_found':
          throw new ApiError('NOT_FOUND', `no IDM ${type.toLowerCase()} with id "${id}"`);
        case 'unchanged':
          throw new ApiError('CONFLICT', `the ${type.toLowerCase()} is ${result.status} already`, {
            status: result.status,
          });
        case 'deleted':
          throw new ApiError(
            'CONFLICT',
            `the ${type.toLowerCase()} is deleted: a deleted object cannot be ${act}d`,
          );
        default:
          return unhandled(result);
      }
    });
  }
}
