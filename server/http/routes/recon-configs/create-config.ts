import { defineRoute, jsonBody, pathParam } from '../../route.ts';
import { findSystem } from '../systems/system-view.ts';
import { createConfigBody } from './config-schema.ts';
import {
  checkConfig,
  configSchema,
  findConfig,
  type ReconConfigResponse,
  saveConfig,
} from './config-view.ts';

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
    checkConfig(body);
    await findSystem(services.db, systemId);
    const id = await saveConfig(services.db, { create: { systemId } }, body);
    await services.scheduler.configChanged(id);
    const response: CreateConfigResponse = await findConfig(services.db, id);
    return c.json(response, 201);
  },
});
