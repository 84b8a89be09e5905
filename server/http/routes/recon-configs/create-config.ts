import { createConfigBody } from '../../../services/configs/config-input.ts';
import { unhandled } from '../../../services/outcomes.ts';
import { ApiError, invalidInput } from '../../errors.ts';
import { defineRoute, jsonBody, pathParam } from '../../route.ts';
import { configSchema, type ReconConfigResponse } from './config-response.ts';

export type CreateConfigResponse = ReconConfigResponse;

export const createConfigRoute = defineRoute({
  method: 'POST',
  path: '/api/systems/:id/recon-configs',
  tag: 'recon-configs',
  summary: 'Create a reconciliation config for a managed system (situations default to DO_NOTHING)',
  status: 201,
  body: createConfigBody,
  response: configSchema,
  handler: (services) => async (c) => {
    const systemId = pathParam(c, 'id');
    const body = await jsonBody(c, createConfigBody);
    const created = await services.configs.create(systemId, body);
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
  },
});
