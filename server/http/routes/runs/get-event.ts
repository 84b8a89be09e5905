import { unhandled } from '../../../services/outcomes.ts';
import { ApiError } from '../../errors.ts';
import { defineRoute, pathParam } from '../../route.ts';
import { type EventDetailResponse, eventDetailSchema } from './run-schemas.ts';

export type GetEventResponse = EventDetailResponse;

export const getEventRoute = defineRoute({
  method: 'GET',
  path: '/api/runs/:id/events/:eventId',
  tag: 'runs',
  summary: "One object's detail: attributes before and after, action, policy outputs, error",
  status: 200,
  response: eventDetailSchema,
  handler: (services) => async (c) => {
    const runId = pathParam(c, 'id');
    const eventId = pathParam(c, 'eventId');
    const found = await services.activity.getEvent(runId, eventId);
    switch (found.outcome) {
      case 'found': {
        const response: GetEventResponse = found.event;
        return c.json(response);
      }
      case 'event_not_found':
        throw new ApiError('NOT_FOUND', `no event "${eventId}" in run "${runId}"`);
      default:
        return unhandled(found);
    }
  },
});
