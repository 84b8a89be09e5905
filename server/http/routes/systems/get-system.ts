import { unhandled } from '../../../services/outcomes.ts';
import { ApiError } from '../../errors.ts';
import { defineRoute, pathParam } from '../../route.ts';
import { type SystemResponse, systemSchema } from './system-schema.ts';

export type GetSystemResponse = SystemResponse;

export const getSystemRoute = defineRoute({
  method: 'GET',
  path: '/api/systems/:id',
  tag: 'systems',
  summary: 'Read one managed system (secrets shown as "********")',
  status: 200,
  response: systemSchema,
  handler: (services) => async (c) => {
    const id = pathParam(c, 'id');
    const found = await services.systems.get(id);
    switch (found.outcome) {
      case 'found': {
        const response: GetSystemResponse = found.system;
        return c.json(response);
      }
      case 'not_found':
        throw new ApiError('NOT_FOUND', `no managed system with id "${id}"`);
      default:
        return unhandled(found);
    }
  },
});
