import { createRoute, z } from '@hono/zod-openapi';
import type { Services } from '../../../services/index.ts';
import { unhandled } from '../../../services/outcomes.ts';
import { access, errorResponses, idParams, json } from '../../api-route.ts';
import type { ApiApp } from '../../app-env.ts';
import { ApiError } from '../../errors.ts';
import { notificationSchema, type RunSummaryResponse, runSummarySchema } from './run-schemas.ts';

/** docs/api.md: the run with its mail and how their delivery stands. */
const runWithNotifications = runSummarySchema.extend({ notifications: z.array(notificationSchema) });

export type GetRunResponse = RunSummaryResponse & { notifications: z.infer<typeof notificationSchema>[] };

export const getRunRoute = createRoute({
  method: 'get',
  path: '/api/runs/{id}',
  ...access('viewer'),
  tags: ['runs'],
  summary: 'A run summary: status, who started it, timings, counts per situation and response, errors',
  request: { params: idParams },
  responses: { 200: json(runWithNotifications, 'the run'), ...errorResponses },
});

export function registerGetRun(app: ApiApp, services: Services) {
  app.openapi(getRunRoute, async (c) => {
    const { id } = c.req.valid('param');
    const found = await services.activity.getRun(id);
    switch (found.outcome) {
      case 'found': {
        const response: GetRunResponse = {
          ...found.run,
          notifications: await services.mail.notificationsOf(id),
        };
        return c.json(response, 200);
      }
      case 'run_not_found':
        throw new ApiError('NOT_FOUND', `no run with id "${id}"`);
      default:
        return unhandled(found);
    }
  });
}
