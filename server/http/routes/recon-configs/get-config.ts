import { defineRoute, pathParam } from '../../route.ts';
import { configSchema, findConfig, type ReconConfigResponse } from './config-view.ts';

export type GetConfigResponse = ReconConfigResponse;

export const getConfigRoute = defineRoute({
  method: 'GET',
  path: '/api/recon-configs/:id',
  tag: 'recon-configs',
  summary: 'Read a reconciliation config with its situation → response table',
  status: 200,
  response: configSchema,
  handler: (services) => async (c) => {
    const response: GetConfigResponse = await findConfig(services.db, pathParam(c, 'id'));
    return c.json(response);
  },
});
