import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { reconConfigs } from '../../../db/schema/recon-configs.ts';
import { defineRoute, queryOf } from '../../route.ts';
import { configSchema, loadConfigs } from './config-view.ts';

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
    const rows = await services.db.orm
      .select()
      .from(reconConfigs)
      .where(systemId ? eq(reconConfigs.systemId, systemId) : undefined)
      .orderBy(asc(reconConfigs.createdAt), asc(reconConfigs.id));
    const response: ListConfigsResponse = { items: await loadConfigs(services.db, rows) };
    return c.json(response);
  },
});
