import { createRoute, z } from '@hono/zod-openapi';
import type { Services } from '../../../services/index.ts';
import { unhandled } from '../../../services/outcomes.ts';
import { access, errorResponses, idParams, json } from '../../api-route.ts';
import type { ApiApp } from '../../app-env.ts';
import { ApiError } from '../../errors.ts';

export const testSystemResponse = z.object({
  ok: z.boolean(),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type TestSystemResponse = z.infer<typeof testSystemResponse>;

export const testSystemRoute = createRoute({
  method: 'post',
  path: '/api/systems/{id}/test',
  ...access('admin'),
  tags: ['systems'],
  summary: 'Test the connection of a managed system (a failed connection is ok: false, not an error)',
  request: { params: idParams },
  responses: { 200: json(testSystemResponse, 'what the connector found'), ...errorResponses },
});

export function registerTestSystem(app: ApiApp, services: Services) {
  app.openapi(testSystemRoute, async (c) => {
    const { id } = c.req.valid('param');
    const tested = await services.systems.test(id);
    switch (tested.outcome) {
      case 'tested': {
        const response: TestSystemResponse = tested.result;
        return c.json(response, 200);
      }
      case 'not_found':
        throw new ApiError('NOT_FOUND', `no managed system with id "${id}"`);
      default:
        return unhandled(tested);
    }
  });
}
