import { z } from 'zod';
import { getRun, type RunSummary } from '../../../activity/runs-query.ts';
import { type NotificationView, notificationsOf } from '../../../services/mail.ts';
import { ApiError } from '../../errors.ts';
import { defineRoute, pathParam } from '../../route.ts';
import { notificationSchema, runSummarySchema } from './run-schemas.ts';

export type GetRunResponse = RunSummary & { notifications: NotificationView[] };

export const getRunRoute = defineRoute({
  method: 'GET',
  path: '/api/runs/:id',
  tag: 'runs',
  summary: 'A run summary: status, timings, counts per situation and response, errors, throughput',
  status: 200,
  response: runSummarySchema.extend({ notifications: z.array(notificationSchema) }),
  handler: (services) => async (c) => {
    const id = pathParam(c, 'id');
    const run = await getRun(services.db, id);
    if (!run) throw new ApiError('NOT_FOUND', `no run with id "${id}"`);
    const response: GetRunResponse = { ...run, notifications: await notificationsOf(services.db, id) };
    return c.json(response);
  },
});
