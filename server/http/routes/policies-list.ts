import { z } from 'zod';
import { listPolicies } from '../../sandbox/store.ts';
import { defineRoute } from '../route.ts';
import { policySummarySchema } from './policies-view.ts';

export const listPoliciesResponse = z.object({ items: z.array(policySummarySchema) });
export type ListPoliciesResponse = z.infer<typeof listPoliciesResponse>;

export const listPoliciesRoute = defineRoute({
  method: 'GET',
  path: '/api/policies',
  tag: 'policies',
  summary: 'List saved policies by path, with their kind and build hash',
  status: 200,
  response: listPoliciesResponse,
  handler: (services) => async (c) => {
    const rows = await listPolicies(services.db);
    const response: ListPoliciesResponse = {
      items: rows.map((row) => ({
        ...row,
        kind: row.kind as ListPoliciesResponse['items'][number]['kind'],
        updatedAt: row.updatedAt.toISOString(),
      })),
    };
    return c.json(response);
  },
});
