import { createRoute, z } from '@hono/zod-openapi';
import type { Services } from '../../../services/index.ts';
import { unhandled } from '../../../services/outcomes.ts';
import { access, errorResponses, json } from '../../api-route.ts';
import type { ApiApp } from '../../app-env.ts';
import { ApiError, invalidInput } from '../../errors.ts';
import { diagnosticSchema, policySummarySchema } from './policy-schemas.ts';

export const getPolicyResponse = policySummarySchema.extend({
  source: z.string(),
  createdAt: z.string(),
  diagnostics: z.array(diagnosticSchema),
});
export type GetPolicyResponse = z.infer<typeof getPolicyResponse>;

// A policy path holds slashes ("hr/population.ts"): the route takes the rest of the URL.
export const getPolicyRoute = createRoute({
  method: 'get',
  path: '/api/policies/{path{.+}}',
  ...access('viewer'),
  tags: ['policies'],
  summary: 'Read one saved policy: its source, kind, build hash and warnings',
  request: {
    params: z.object({
      path: z
        .string()
        .max(500)
        .openapi({ param: { name: 'path', in: 'path' }, description: 'e.g. hr/population.ts' }),
    }),
  },
  responses: { 200: json(getPolicyResponse, 'the policy'), ...errorResponses },
});

export function registerGetPolicy(app: ApiApp, services: Services) {
  app.openapi(getPolicyRoute, async (c) => {
    const { path } = c.req.valid('param');
    const found = await services.policies.get(path);
    switch (found.outcome) {
      case 'found': {
        const response: GetPolicyResponse = found.policy;
        return c.json(response, 200);
      }
      case 'not_found':
        throw new ApiError('NOT_FOUND', `no policy is saved at "${path}"`);
      case 'invalid':
        throw invalidInput(found);
      default:
        return unhandled(found);
    }
  });
}
