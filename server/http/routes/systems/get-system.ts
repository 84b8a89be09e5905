import { createRoute } from '@hono/zod-openapi';
import type { Services } from '../../../services/index.ts';
import { unhandled } from '../../../services/outcomes.ts';
import { access, errorResponses, idParams, json } from '../../api-route.ts';
import type { ApiApp } from '../../app-env.ts';
import { ApiError } from '../../errors.ts';
import { type SystemResponse, systemSchema } from './system-schema.ts';

export type GetSystemResponse = SystemResponse;

export const getSystemRoute = createRoute({
  method: 'get',
  path: '/api/systems/{id}',
  ...access('viewer'),
  tags: ['systems'],
  summary: 'Read one managed system (secrets shown as "********")',
  request: { params: idParams },
  responses: { 200: json(systemSchema, 'the system'), ...errorResponses },
});

export function registerGetSystem(app: ApiApp, services: Services) {
  app.openapi(getSystemRoute, async (c) => {
    const { id } = c.req.valid('param');
    const found = await services.systems.get(id);
    switch (found.outcome) {
      case 'found': {
        const response: GetSystemResponse = found.system;
        return c.json(response, 200);
      }
      case 'not_found':
        throw new ApiError('NOT_FOUND', `no managed system with id "${id}"`);
      default:
        return unhandled(found);
    }
  });
}
