import { z } from 'zod';
import { reportFormats } from '../../../reports/render-report.ts';
import { unhandled } from '../../../services/outcomes.ts';
import { ApiError } from '../../errors.ts';
import { defineRoute, pathParam, queryOf } from '../../route.ts';
import { streamBody } from './stream-body.ts';

export const getReportQuery = z.strictObject({
  format: z.enum(reportFormats).optional().describe("html or csv; default: the config's reportFormat"),
});

export const getReportRoute = defineRoute({
  method: 'GET',
  path: '/api/runs/:id/report',
  tag: 'runs',
  summary: "A run's report: self-contained HTML, or CSV (RFC 4180, UTF-8 with BOM, streamed)",
  status: 200,
  contentType: 'text/html',
  query: getReportQuery,
  handler: (services) => async (c) => {
    const runId = pathParam(c, 'id');
    const { format } = queryOf(c, getReportQuery);
    const found = await services.reports.report(runId, format);
    switch (found.outcome) {
      case 'found': {
        const { report } = found;
        const disposition = report.contentType.startsWith('text/html') ? 'inline' : 'attachment';
        return c.body(streamBody(report.chunks(), services.log, { runId }), 200, {
          'content-type': report.contentType,
          'content-disposition': `${disposition}; filename="${report.filename}"`,
          'x-content-type-options': 'nosniff',
          // The HTML report needs nothing from anywhere: forbid scripts and outside fetches outright.
          'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
        });
      }
      case 'run_not_found':
        throw new ApiError('NOT_FOUND', `no run with id "${runId}"`);
      default:
        return unhandled(found);
    }
  },
});
