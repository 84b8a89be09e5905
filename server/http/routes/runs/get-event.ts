import { createRoute, z } from '@hono/zod-openapi';
import type { Services } from '../../../services/index.ts';
import { unhandled } from '../../../services/outcomes.ts';
import { access, errorResponses, idParam, json } from '../../api-route.ts';
import type { ApiApp } from '../../app-env.ts';
import { ApiError } from '../../errors.ts';
import { type EventDetailResponse, eventDetailSchema } from './run-schemas.ts';

export type GetEventResponse = EventDetailResponse;

export const getEventRoute = createRoute({
  method: 'get',
  path: '/api/runs/{id}/events/{eventId}',
  ...access('viewer'),
  tags: ['runs'],
  summary: "One object's detail: attributes before and after, action, policy outputs, error",
  request: {
    params: z.object({
      id: idParam.openapi({ param: { name: 'id', in: 'path' } }),
      eventId: idParam.openapi({ param: { name: 'eventId', in: 'path' } }),
    }),
  },
  responses: { 200: json(eventDetailSchema, 'the event'), ...errorResponses },
});

export function registerGetEvent(app: ApiApp, services: Services) {
  app.openapi(getEventRoute, async (c) => {
    const { id: runId, eventId } = c.req.valid('param');
    const found = await services.activity.getEvent(runId, eventId);
    switch (found.outcome) {
      case 'found': {
        const response: GetEventResponse = found.event;
        return c.json(response, 200);
      }
      case 'event_not_found':
        throw new ApiError('NOT_FOUND', `no event "${eventId}" in run "${runId}"`);
      default:
        return unhandled(found);
    }
  });
}
