import { unhandled } from '../../../services/outcomes.ts';
import { ApiError } from '../../errors.ts';
import { defineRoute, pathParam } from '../../route.ts';
import { configSchema, type ReconConfigResponse } from './config-response.ts';

export type GetConfigResponse = ReconConfigResponse;

export const getConfigRoute = defineRoute({
  method: 'GET',
  path: '/api/recon-configs/:id',
  tag: 'recon-configs',
  summary: 'Read a reconciliation config with its situation → response table',
  status: 200,
  response: configSchema,
  handler: (services) => async (c) => {
    const id = pathParam(c, 'id');
    const found = await services.configs.get(id);
    switch (found.outcome) {
      case 'found': {
        const response: GetConfigResponse = found.config;
        return c.json(response);
      }
      case 'not_found':
        throw new ApiError('NOT_FOUND', `no reconciliation config with id "${id}"`);
      default:
        return unhandled(found);
    }
  },
});
