import { createRoute, z } from '@hono/zod-openapi';
import { reportFormats } from '../../../reports/render-report.ts';
import type { Services } from '../../../services/index.ts';
import { unhandled } from '../../../services/outcomes.ts';
import { access, errorResponses, idParams } from '../../api-route.ts';
import type { ApiApp } from '../../app-env.ts';
import { streamDownload } from '../../download.ts';
import { ApiError } from '../../errors.ts';

export const getReportQuery = z.strictObject({
  format: z.enum(reportFormats).optional().describe("html or csv; default: the config's reportFormat"),
});

export const getReportRoute = createRoute({
  method: 'get',
  path: '/api/runs/{id}/report',
  ...access('viewer'),
  tags: ['runs'],
  summary: "A run's report: self-contained HTML, or CSV (RFC 4180, UTF-8 with BOM, streamed)",
  request: { params: idParams, query: getReportQuery },
  responses: {
    200: {
      description: 'the report',
      content: { 'text/html': { schema: { type: 'string' } }, 'text/csv': { schema: { type: 'string' } } },
    },
    ...errorResponses,
  },
});

export function registerGetReport(app: ApiApp, services: Services) {
  app.openapi(getReportRoute, async (c) => {
    const { id: runId } = c.req.valid('param');
    const { format } = c.req.valid('query');
    const found = await services.reports.report(runId, format);
    switch (found.outcome) {
      case 'found': {
        const { report } = found;
        const response = streamDownload(
          c,
          report.chunks(),
          { name: report.filename, type: report.contentType },
          services.log,
        );
        // The HTML report needs nothing from anywhere: forbid scripts and outside fetches outright.
        response.headers.set('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'");
        return response;
      }
      case 'run_not_found':
        throw new ApiError('NOT_FOUND', `no run with id "${runId}"`);
      default:
        return unhandled(found);
    }
  });
}
