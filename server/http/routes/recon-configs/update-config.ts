import { updateConfigBody } from '../../../services/configs/config-input.ts';
import { unhandled } from '../../../services/outcomes.ts';
import { ApiError, invalidInput } from '../../errors.ts';
import { defineRoute, jsonBody, pathParam } from '../../route.ts';
import { configSchema, type ReconConfigResponse } from './config-response.ts';

export type UpdateConfigResponse = ReconConfigResponse;

export const updateConfigRoute = defineRoute({
  method: 'PATCH',
  path: '/api/recon-configs/:id',
  tag: 'recon-configs',
  summary: 'Change a reconciliation config; only the given fields and situations change',
  status: 200,
  body: updateConfigBody,
  response: configSchema,
  handler: (services) => async (c) => {
    const id = pathParam(c, 'id');
    const body = await jsonBody(c, updateConfigBody);
    const updated = await services.configs.update(id, body);
    switch (updated.outcome) {
      case 'updated': {
        const response: UpdateConfigResponse = updated.config;
        return c.json(response);
      }
      case 'not_found':
        throw new ApiError('NOT_FOUND', `no reconciliation config with id "${id}"`);
      case 'invalid':
        throw invalidInput(updated);
      default:
        return unhandled(updated);
    }
  },
});
