import { createRoute } from '@hono/zod-openapi';
import type { Services } from '../../../services/index.ts';
import { unhandled } from '../../../services/outcomes.ts';
import { access, errorResponses, idParams } from '../../api-route.ts';
import type { ApiApp } from '../../app-env.ts';
import { ApiError } from '../../errors.ts';

export const deleteConfigRoute = createRoute({
  method: 'delete',
  path: '/api/recon-configs/{id}',
  ...access('admin'),
  tags: ['recon-configs'],
  summary: 'Remove a reconciliation config (its runs stay in the history)',
  request: { params: idParams },
  responses: { 204: { description: 'removed' }, ...errorResponses },
});

export function registerDeleteConfig(app: ApiApp, services: Services) {
  app.openapi(deleteConfigRoute, async (c) => {
    const { id } = c.req.valid('param');
    const removed = await services.configs.remove(id);
    switch (removed.outcome) {
      case 'deleted':
        return c.body(null, 204);
      case 'not_found':
        throw new ApiError('NOT_FOUND', `no reconciliation config with id "${id}"`);
      default:
        return unhandled(removed);
    }
  });
}
