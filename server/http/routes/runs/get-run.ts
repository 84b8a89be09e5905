import { unhandled } from '../../../services/outcomes.ts';
import { ApiError } from '../../errors.ts';
import { defineRoute, pathParam } from '../../route.ts';
import { type RunSummaryResponse, runSummarySchema } from './run-schemas.ts';

export type GetRunResponse = RunSummaryResponse;

export const getRunRoute = defineRoute({
  method: 'GET',
  path: '/api/runs/:id',
  tag: 'runs',
  summary: 'A run summary: status, timings, counts per situation and response, errors, throughput',
  status: 200,
  response: runSummarySchema,
  handler: (services) => async (c) => {
    const id = pathParam(c, 'id');
    const found = await services.activity.getRun(id);
    switch (found.outcome) {
      case 'found': {
        const response: GetRunResponse = found.run;
        return c.json(response);
      }
      case 'run_not_found':
        throw new ApiError('NOT_FOUND', `no run with id "${id}"`);
      default:
        return unhandled(found);
    }
  },
});
