import { createRoute } from '@hono/zod-openapi';
import type { Services } from '../../../services/index.ts';
import { unhandled } from '../../../services/outcomes.ts';
import { access, errorResponses, idParams } from '../../api-route.ts';
import type { ApiApp } from '../../app-env.ts';
import { streamDownload } from '../../download.ts';
import { ApiError } from '../../errors.ts';

export const doNothingCsvRoute = createRoute({
  method: 'get',
  path: '/api/runs/{id}/do-nothing.csv',
  ...access('viewer'),
  tags: ['runs'],
  summary: 'The DO_NOTHING objects of a run as CSV (kept when the config has sendDoNothingReport)',
  request: { params: idParams },
  responses: {
    200: { description: 'the CSV file', content: { 'text/csv': { schema: { type: 'string' } } } },
    ...errorResponses,
  },
});

export function registerDoNothingCsv(app: ApiApp, services: Services) {
  app.openapi(doNothingCsvRoute, async (c) => {
    const { id: runId } = c.req.valid('param');
    const found = await services.reports.doNothing(runId);
    switch (found.outcome) {
      case 'found':
        return streamDownload(
          c,
          found.report.chunks(),
          { name: found.report.filename, type: found.report.contentType },
          services.log,
        );
      case 'run_not_found':
        throw new ApiError('NOT_FOUND', `no run with id "${runId}"`);
      default:
        return unhandled(found);
    }
  });
}
