import { createRoute } from '@hono/zod-openapi';
import type { Services } from '../../../services/index.ts';
import { unhandled } from '../../../services/outcomes.ts';
import { access, errorResponses, idParams } from '../../api-route.ts';
import type { ApiApp } from '../../app-env.ts';
import { ApiError } from '../../errors.ts';

export const deleteSystemRoute = createRoute({
  method: 'delete',
  path: '/api/systems/{id}',
  ...access('admin'),
  tags: ['systems'],
  summary: 'Remove a managed system with its recon configs and links (run history stays)',
  request: { params: idParams },
  responses: { 204: { description: 'removed' }, ...errorResponses },
});

export function registerDeleteSystem(app: ApiApp, services: Services) {
  app.openapi(deleteSystemRoute, async (c) => {
    const { id } = c.req.valid('param');
    const removed = await services.systems.remove(id);
    switch (removed.outcome) {
      case 'deleted':
        return c.body(null, 204);
      case 'not_found':
        throw new ApiError('NOT_FOUND', `no managed system with id "${id}"`);
      default:
        return unhandled(removed);
    }
  });
}
