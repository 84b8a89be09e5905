import { getRun } from '../../../activity/runs-query.ts';
import { doNothingCsv } from '../../../reports/render-report.ts';
import { ApiError } from '../../errors.ts';
import { defineRoute, pathParam } from '../../route.ts';
import { streamBody } from './stream-body.ts';

export const doNothingCsvRoute = defineRoute({
  method: 'GET',
  path: '/api/runs/:id/do-nothing.csv',
  tag: 'runs',
  summary: 'The DO_NOTHING objects of a run as CSV (kept when the config has sendDoNothingReport)',
  status: 200,
  contentType: 'text/csv',
  handler: (services) => async (c) => {
    const runId = pathParam(c, 'id');
    if (!(await getRun(services.db, runId))) throw new ApiError('NOT_FOUND', `no run with id "${runId}"`);
    const report = doNothingCsv(services.db, runId);
    return c.body(streamBody(report.chunks(), services.log, { runId }), 200, {
      'content-type': report.contentType,
      'content-disposition': `attachment; filename="${report.filename}"`,
      'x-content-type-options': 'nosniff',
    });
  },
});
