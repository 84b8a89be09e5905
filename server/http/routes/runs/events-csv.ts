import { createRoute } from '@hono/zod-openapi';
import type { Services } from '../../../services/index.ts';
import { unhandled } from '../../../services/outcomes.ts';
import { access, errorResponses, idParams } from '../../api-route.ts';
import type { ApiApp } from '../../app-env.ts';
import { streamDownload } from '../../download.ts';
import { ApiError } from '../../errors.ts';

export const eventsCsvRoute = createRoute({
  method: 'get',
  path: '/api/runs/{id}/events.csv',
  ...access('viewer'),
  tags: ['runs'],
  summary: "All of a run's events as CSV (streamed; formula-like cells are prefixed with a quote)",
  request: { params: idParams },
  responses: {
    200: { description: 'the CSV file', content: { 'text/csv': { schema: { type: 'string' } } } },
    ...errorResponses,
  },
});

export function registerEventsCsv(app: ApiApp, services: Services) {
  app.openapi(eventsCsvRoute, async (c) => {
    const { id: runId } = c.req.valid('param');
    const found = await services.activity.eventsCsv(runId);
    switch (found.outcome) {
      case 'found':
        return streamDownload(
          c,
          found.chunks,
          { name: `run-${runId}-events.csv`, type: 'text/csv; charset=utf-8' },
          services.log,
        );
      case 'run_not_found':
        throw new ApiError('NOT_FOUND', `no run with id "${runId}"`);
      default:
        return unhandled(found);
    }
  });
}
