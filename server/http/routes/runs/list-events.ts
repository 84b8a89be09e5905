import { createRoute, z } from '@hono/zod-openapi';
import { eventOutcomes, responses, situations } from '../../../core/model.ts';
import type { Services } from '../../../services/index.ts';
import { unhandled } from '../../../services/outcomes.ts';
import { access, errorResponses, idParams, json } from '../../api-route.ts';
import type { ApiApp } from '../../app-env.ts';
import { cursorParam, encodeCursor, limitParam } from '../../cursor.ts';
import { ApiError } from '../../errors.ts';
import { eventSummarySchema } from './run-schemas.ts';

export const listEventsQuery = z.strictObject({
  situation: z.enum(situations).optional(),
  response: z.enum(responses).optional(),
  outcome: z.enum(eventOutcomes).optional(),
  cursor: cursorParam(z.object({ seq: z.number().int().min(0) }))
    .optional()
    .describe('nextCursor of the previous page'),
  limit: limitParam(1000, 100),
});

export const listEventsResponse = z.object({
  items: z.array(eventSummarySchema),
  nextCursor: z.string().nullable(),
});
export type ListEventsResponse = z.infer<typeof listEventsResponse>;

export const listEventsRoute = createRoute({
  method: 'get',
  path: '/api/runs/{id}/events',
  ...access('viewer'),
  tags: ['runs'],
  summary: "A run's events in order, filtered by situation, response or outcome, paged",
  request: { params: idParams, query: listEventsQuery },
  responses: { 200: json(listEventsResponse, 'one page of events'), ...errorResponses },
});

export function registerListEvents(app: ApiApp, services: Services) {
  app.openapi(listEventsRoute, async (c) => {
    const { id: runId } = c.req.valid('param');
    const query = c.req.valid('query');
    const page = await services.activity.listEvents(runId, {
      situation: query.situation,
      response: query.response,
      outcome: query.outcome,
      afterSeq: query.cursor?.seq,
      limit: query.limit,
    });
    switch (page.outcome) {
      case 'listed': {
        const response: ListEventsResponse = {
          items: page.items,
          nextCursor: page.nextSeq === null ? null : encodeCursor({ seq: page.nextSeq }),
        };
        return c.json(response, 200);
      }
      case 'run_not_found':
        throw new ApiError('NOT_FOUND', `no run with id "${runId}"`);
      default:
        return unhandled(page);
    }
  });
}
