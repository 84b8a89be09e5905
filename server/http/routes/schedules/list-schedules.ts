import { z } from 'zod';
import type { ScheduleView } from '../../../services/schedules.ts';
import { defineRoute } from '../../route.ts';

export const scheduleSchema = z.object({
  configId: z.string(),
  name: z.string().nullable(),
  frequency: z.string(),
  timezone: z.string(),
  nextRunAt: z.string().nullable(),
  lastRunId: z.string().nullable(),
});
export type ListSchedulesResponse = { items: ScheduleView[] };

export const listSchedulesRoute = defineRoute({
  method: 'GET',
  path: '/api/schedules',
  tag: 'schedules',
  summary: 'Every scheduled (active) config: frequency, time zone, next tick and last scheduled run',
  status: 200,
  response: z.object({ items: z.array(scheduleSchema) }),
  handler: (services) => async (c) => {
    const response: ListSchedulesResponse = { items: await services.schedules.list() };
    return c.json(response);
  },
});
