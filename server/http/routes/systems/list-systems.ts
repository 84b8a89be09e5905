import { createRoute, z } from '@hono/zod-openapi';
import type { Services } from '../../../services/index.ts';
import { access, errorResponses, json } from '../../api-route.ts';
import type { ApiApp } from '../../app-env.ts';
import { systemSchema } from './system-schema.ts';

export const listSystemsResponse = z.object({ items: z.array(systemSchema) });
export type ListSystemsResponse = z.infer<typeof listSystemsResponse>;

export const listSystemsRoute = createRoute({
  method: 'get',
  path: '/api/systems',
  ...access('viewer'),
  tags: ['systems'],
  summary: 'List managed systems (secrets shown as "********")',
  responses: { 200: json(listSystemsResponse, 'the systems, by name'), ...errorResponses },
});

export function registerListSystems(app: ApiApp, services: Services) {
  app.openapi(listSystemsRoute, async (c) => {
    const response: ListSystemsResponse = { items: await services.systems.list() };
    return c.json(response, 200);
  });
}
