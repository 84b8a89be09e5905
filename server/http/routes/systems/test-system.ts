import { z } from 'zod';
import { unhandled } from '../../../services/outcomes.ts';
import { ApiError } from '../../errors.ts';
import { defineRoute, pathParam } from '../../route.ts';

export const testSystemResponse = z.object({
  ok: z.boolean(),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type TestSystemResponse = z.infer<typeof testSystemResponse>;

export const testSystemRoute = defineRoute({
  method: 'POST',
  path: '/api/systems/:id/test',
  tag: 'systems',
  summary: 'Test the connection of a managed system (a failed connection is ok: false, not an error)',
  status: 200,
  response: testSystemResponse,
  handler: (services) => async (c) => {
    const id = pathParam(c, 'id');
    const tested = await services.systems.test(id);
    switch (tested.outcome) {
      case 'tested': {
        const response: TestSystemResponse = tested.result;
        return c.json(response);
      }
      case 'not_found':
        throw new ApiError('NOT_FOUND', `no managed system with id "${id}"`);
      default:
        return unhandled(tested);
    }
  },
});
