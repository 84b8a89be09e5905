import { createRoute, z } from '@hono/zod-openapi';
import type { Services } from '../../../services/index.ts';
import { access, errorResponses, json } from '../../api-route.ts';
import type { ApiApp } from '../../app-env.ts';
import { policySummarySchema } from './policy-schemas.ts';

export const listPoliciesResponse = z.object({ items: z.array(policySummarySchema) });
export type ListPoliciesResponse = z.infer<typeof listPoliciesResponse>;

export const listPoliciesRoute = createRoute({
  method: 'get',
  path: '/api/policies',
  ...access('viewer'),
  tags: ['policies'],
  summary: 'List saved policies by path, with their kind and build hash',
  responses: { 200: json(listPoliciesResponse, 'the policies, by path'), ...errorResponses },
});

export function registerListPolicies(app: ApiApp, services: Services) {
  app.openapi(listPoliciesRoute, async (c) => {
    const response: ListPoliciesResponse = { items: await services.policies.list() };
    return c.json(response, 200);
  });
}
