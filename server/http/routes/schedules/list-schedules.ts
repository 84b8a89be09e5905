import { createRoute, z } from '@hono/zod-openapi';
import type { Services } from '../../../services/index.ts';
import { access, errorResponses, json } from '../../api-route.ts';
import type { ApiApp } from '../../app-env.ts';

export const scheduleSchema = z.object({
  configId: z.string(),
  name: z.string().nullable(),
  frequency: z.string(),
  timezone: z.string(),
  nextRunAt: z.string().nullable(),
  lastRunId: z.string().nullable(),
});
export const listSchedulesResponse = z.object({ items: z.array(scheduleSchema) });
export type ListSchedulesResponse = z.infer<typeof listSchedulesResponse>;

export const listSchedulesRoute = createRoute({
  method: 'get',
  path: '/api/schedules',
  ...access('viewer'),
  tags: ['schedules'],
  summary: 'Every scheduled (active) config: frequency, time zone, next tick and last scheduled run',
  responses: { 200: json(listSchedulesResponse, 'the schedules'), ...errorResponses },
});

export function registerListSchedules(app: ApiApp, services: Services) {
  app.openapi(listSchedulesRoute, async (c) => {
    const response: ListSchedulesResponse = { items: await services.schedules.list() };
    return c.json(response, 200);
  });
}
