import { z } from 'zod';
import { defineRoute } from '../../route.ts';
import { systemSchema } from './system-schema.ts';

export const listSystemsResponse = z.object({ items: z.array(systemSchema) });
export type ListSystemsResponse = z.infer<typeof listSystemsResponse>;

export const listSystemsRoute = defineRoute({
  method: 'GET',
  path: '/api/systems',
  tag: 'systems',
  summary: 'List managed systems (secrets shown as "********")',
  status: 200,
  response: listSystemsResponse,
  handler: (services) => async (c) => {
    const response: ListSystemsResponse = { items: await services.systems.list() };
    return c.json(response);
  },
});
