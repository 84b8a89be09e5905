import { z } from 'zod';
import { testSystemConnection } from '../../../systems/test-connection.ts';
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
    const tested = await testSystemConnection(services.db, services.secrets, services.connectors, id);
    switch (tested.outcome) {
      case 'not_found':
        throw new ApiError('NOT_FOUND', `no managed system with id "${id}"`);
      case 'tested': {
        const response: TestSystemResponse = tested.result;
        return c.json(response);
      }
    }
  },
});
