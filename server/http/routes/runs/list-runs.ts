import { z } from 'zod';
import { runStatuses } from '../../../db/schema/runs.ts';
import { cursorParam, encodeCursor, limitParam } from '../../cursor.ts';
import { defineRoute, queryOf } from '../../route.ts';
import { runSummarySchema } from './run-schemas.ts';

const isoTime = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' });

export const listRunsQuery = z.strictObject({
  configId: z.string().min(1).max(200).optional(),
  status: z.enum(runStatuses).optional(),
  from: isoTime.optional().describe('runs created at or after this time'),
  to: isoTime.optional().describe('runs created before this time'),
  cursor: cursorParam(z.object({ at: z.string().regex(/^\d{4}-\d\d-\d\d[ T][\d:.+-]+$/), id: z.string() }))
    .optional()
    .describe('nextCursor of the previous page'),
  limit: limitParam(500, 50),
});

export const listRunsResponse = z.object({
  items: z.array(runSummarySchema),
  nextCursor: z.string().nullable(),
});
export type ListRunsResponse = z.infer<typeof listRunsResponse>;

export const listRunsRoute = defineRoute({
  method: 'GET',
  path: '/api/runs',
  tag: 'runs',
  summary: 'The activity history: runs, newest first, paged',
  status: 200,
  query: listRunsQuery,
  response: listRunsResponse,
  handler: (services) => async (c) => {
    const query = queryOf(c, listRunsQuery);
    const page = await services.activity.listRuns({
      configId: query.configId,
      status: query.status,
      from: query.from ? new Date(query.from) : undefined,
      to: query.to ? new Date(query.to) : undefined,
      after: query.cursor,
      limit: query.limit,
    });
    const response: ListRunsResponse = {
      items: page.items,
      nextCursor: page.next ? encodeCursor(page.next) : null,
    };
    return c.json(response);
  },
});
