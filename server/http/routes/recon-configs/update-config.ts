import { defineRoute, jsonBody, pathParam } from '../../route.ts';
import { updateConfigBody } from './config-schema.ts';
import {
  checkConfig,
  configSchema,
  findConfig,
  type ReconConfigResponse,
  saveConfig,
} from './config-view.ts';

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
    const current = await findConfig(services.db, id);
    checkConfig({ ...current, ...body });
    await saveConfig(services.db, { update: { id } }, body);
    await services.scheduler.configChanged(id);
    const response: UpdateConfigResponse = await findConfig(services.db, id);
    return c.json(response);
  },
});
