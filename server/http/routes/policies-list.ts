import { z } from 'zod';
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
    const response: ListPoliciesResponse = { items: await services.policies.list() };
    return c.json(response);
  },
});
