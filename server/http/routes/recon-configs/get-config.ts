import { createRoute } from '@hono/zod-openapi';
import type { Services } from '../../../services/index.ts';
import { unhandled } from '../../../services/outcomes.ts';
import { access, errorResponses, idParams, json } from '../../api-route.ts';
import type { ApiApp } from '../../app-env.ts';
import { ApiError } from '../../errors.ts';
import { configSchema, type ReconConfigResponse } from './config-response.ts';

export type GetConfigResponse = ReconConfigResponse;

export const getConfigRoute = createRoute({
  method: 'get',
  path: '/api/recon-configs/{id}',
  ...access('viewer'),
  tags: ['recon-configs'],
  summary: 'Read a reconciliation config with its situation → response table',
  request: { params: idParams },
  responses: { 200: json(configSchema, 'the config'), ...errorResponses },
});

export function registerGetConfig(app: ApiApp, services: Services) {
  app.openapi(getConfigRoute, async (c) => {
    const { id } = c.req.valid('param');
    const found = await services.configs.get(id);
    switch (found.outcome) {
      case 'found': {
        const response: GetConfigResponse = found.config;
        return c.json(response, 200);
      }
      case 'not_found':
        throw new ApiError('NOT_FOUND', `no reconciliation config with id "${id}"`);
      default:
        return unhandled(found);
    }
  });
}
