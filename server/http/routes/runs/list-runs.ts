import { createRoute, z } from '@hono/zod-openapi';
import { runStatuses } from '../../../core/model.ts';
import type { Services } from '../../../services/index.ts';
import { access, errorResponses, idParam, json } from '../../api-route.ts';
import type { ApiApp } from '../../app-env.ts';
import { cursorParam, encodeCursor, limitParam } from '../../cursor.ts';
import { runSummarySchema } from './run-schemas.ts';

const isoTime = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' });

export const listRunsQuery = z.strictObject({
  configId: idParam.optional(),
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

export const listRunsRoute = createRoute({
  method: 'get',
  path: '/api/runs',
  ...access('viewer'),
  tags: ['runs'],
  summary: 'The activity history: runs, newest first, paged',
  request: { query: listRunsQuery },
  responses: { 200: json(listRunsResponse, 'one page of runs'), ...errorResponses },
});

export function registerListRuns(app: ApiApp, services: Services) {
  app.openapi(listRunsRoute, async (c) => {
    const query = c.req.valid('query');
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
    return c.json(response, 200);
  });
}
