import { createRoute, z } from '@hono/zod-openapi';
import type { Services } from '../../../services/index.ts';
import { access, errorResponses, idParam, json } from '../../api-route.ts';
import type { ApiApp } from '../../app-env.ts';
import { configSchema } from './config-response.ts';

export const listConfigsQuery = z.strictObject({ systemId: idParam.optional() });
export const listConfigsResponse = z.object({ items: z.array(configSchema) });
export type ListConfigsResponse = z.infer<typeof listConfigsResponse>;

export const listConfigsRoute = createRoute({
  method: 'get',
  path: '/api/recon-configs',
  ...access('viewer'),
  tags: ['recon-configs'],
  summary: 'List reconciliation configs, optionally of one managed system',
  request: { query: listConfigsQuery },
  responses: { 200: json(listConfigsResponse, 'the configs, oldest first'), ...errorResponses },
});

export function registerListConfigs(app: ApiApp, services: Services) {
  app.openapi(listConfigsRoute, async (c) => {
    const { systemId } = c.req.valid('query');
    const response: ListConfigsResponse = { items: await services.configs.list({ systemId }) };
    return c.json(response, 200);
  });
}
