import { getEvent, type RunEventDetail } from '../../../activity/events-query.ts';
import { ApiError } from '../../errors.ts';
import { defineRoute, pathParam } from '../../route.ts';
import { eventDetailSchema } from './run-schemas.ts';

export type GetEventResponse = RunEventDetail;

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
    const event = /^\d{1,15}$/.test(eventId) ? await getEvent(services.db, runId, Number(eventId)) : null;
    if (!event) throw new ApiError('NOT_FOUND', `no event "${eventId}" in run "${runId}"`);
    const response: GetEventResponse = event;
    return c.json(response);
  },
});
