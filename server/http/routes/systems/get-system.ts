import { defineRoute, pathParam } from '../../route.ts';
import { findSystem, type SystemResponse, systemSchema, toSystemResponse } from './system-view.ts';

export type GetSystemResponse = SystemResponse;

export const getSystemRoute = defineRoute({
  method: 'GET',
  path: '/api/systems/:id',
  tag: 'systems',
  summary: 'Read one managed system (secrets shown as "********")',
  status: 200,
  response: systemSchema,
  handler: (services) => async (c) => {
    const row = await findSystem(services.db, pathParam(c, 'id'));
    const response: GetSystemResponse = toSystemResponse(row, services.secrets);
    return c.json(response);
  },
});
