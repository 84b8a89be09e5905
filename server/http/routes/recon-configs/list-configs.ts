import { z } from 'zod';
import { defineRoute, queryOf } from '../../route.ts';
import { configSchema } from './config-response.ts';

export const listConfigsQuery = z.strictObject({ systemId: z.string().min(1).max(200).optional() });
export const listConfigsResponse = z.object({ items: z.array(configSchema) });
export type ListConfigsResponse = z.infer<typeof listConfigsResponse>;

export const listConfigsRoute = defineRoute({
  method: 'GET',
  path: '/api/recon-configs',
  tag: 'recon-configs',
  summary: 'List reconciliation configs, optionally of one managed system',
  status: 200,
  query: listConfigsQuery,
  response: listConfigsResponse,
  handler: (services) => async (c) => {
    const { systemId } = queryOf(c, listConfigsQuery);
    const response: ListConfigsResponse = { items: await services.configs.list({ systemId }) };
    return c.json(response);
  },
});
