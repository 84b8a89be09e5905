import { createRoute } from '@hono/zod-openapi';
import { updateConfigBody } from '../../../services/configs/config-input.ts';
import type { Services } from '../../../services/index.ts';
import { unhandled } from '../../../services/outcomes.ts';
import { access, errorResponses, idParams, json, jsonBody } from '../../api-route.ts';
import type { ApiApp } from '../../app-env.ts';
import { ApiError, invalidInput } from '../../errors.ts';
import { configSchema, type ReconConfigResponse } from './config-response.ts';

export type UpdateConfigResponse = ReconConfigResponse;

export const updateConfigRoute = createRoute({
  method: 'patch',
  path: '/api/recon-configs/{id}',
  ...access('admin'),
  tags: ['recon-configs'],
  summary: 'Change a reconciliation config; only the given fields and situations change',
  request: { params: idParams, body: jsonBody(updateConfigBody) },
  responses: { 200: json(configSchema, 'the changed config'), ...errorResponses },
});

export function registerUpdateConfig(app: ApiApp, services: Services) {
  app.openapi(updateConfigRoute, async (c) => {
    const { id } = c.req.valid('param');
    const updated = await services.configs.update(id, c.req.valid('json'));
    switch (updated.outcome) {
      case 'updated': {
        const response: UpdateConfigResponse = updated.config;
        return c.json(response, 200);
      }
      case 'not_found':
        throw new ApiError('NOT_FOUND', `no reconciliation config with id "${id}"`);
      case 'invalid':
        throw invalidInput(updated);
      default:
        return unhandled(updated);
    }
  });
}
