import { createRoute } from '@hono/zod-openapi';
import { createConfigBody } from '../../../services/configs/config-input.ts';
import type { Services } from '../../../services/index.ts';
import { unhandled } from '../../../services/outcomes.ts';
import { access, errorResponses, idParams, json, jsonBody } from '../../api-route.ts';
import type { ApiApp } from '../../app-env.ts';
import { ApiError, invalidInput } from '../../errors.ts';
import { configSchema, type ReconConfigResponse } from './config-response.ts';

export type CreateConfigResponse = ReconConfigResponse;

export const createConfigRoute = createRoute({
  method: 'post',
  path: '/api/systems/{id}/recon-configs',
  ...access('admin'),
  tags: ['recon-configs'],
  summary: 'Create a reconciliation config for a managed system (situations default to DO_NOTHING)',
  request: { params: idParams, body: jsonBody(createConfigBody) },
  responses: { 201: json(configSchema, 'the new config'), ...errorResponses },
});

export function registerCreateConfig(app: ApiApp, services: Services) {
  app.openapi(createConfigRoute, async (c) => {
    const { id: systemId } = c.req.valid('param');
    const created = await services.configs.create(systemId, c.req.valid('json'));
    switch (created.outcome) {
      case 'created': {
        const response: CreateConfigResponse = created.config;
        return c.json(response, 201);
      }
      case 'invalid':
        throw invalidInput(created);
      case 'system_not_found':
        throw new ApiError('NOT_FOUND', `no managed system with id "${systemId}"`);
      default:
        return unhandled(created);
    }
  });
}
