import { z } from 'zod';
import { unhandled } from '../../../services/outcomes.ts';
import { ApiError } from '../../errors.ts';
import { defineRoute, pathParam } from '../../route.ts';
import { notificationSchema, type RunSummaryResponse, runSummarySchema } from './run-schemas.ts';

export type GetRunResponse = RunSummaryResponse & { notifications: z.infer<typeof notificationSchema>[] };

export const getRunRoute = defineRoute({
  method: 'GET',
  path: '/api/runs/:id',
  tag: 'runs',
  summary: 'A run summary: status, timings, counts per situation and response, errors, throughput',
  status: 200,
  response: runSummarySchema.extend({ notifications: z.array(notificationSchema) }),
  handler: (services) => async (c) => {
    const id = pathParam(c, 'id');
    const found = await services.activity.getRun(id);
    switch (found.outcome) {
      case 'found': {
        const response: GetRunResponse = {
          ...found.run,
          notifications: await services.mail.notificationsOf(id),
        };
        return c.json(response);
      }
      case 'run_not_found':
        throw new ApiError('NOT_FOUND', `no run with id "${id}"`);
      default:
        return unhandled(found);
    }
  },
});
