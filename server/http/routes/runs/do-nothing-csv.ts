import { unhandled } from '../../../services/outcomes.ts';
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
    const found = await services.reports.doNothing(runId);
    switch (found.outcome) {
      case 'found':
        return c.body(streamBody(found.report.chunks(), services.log, { runId }), 200, {
          'content-type': found.report.contentType,
          'content-disposition': `attachment; filename="${found.report.filename}"`,
          'x-content-type-options': 'nosniff',
        });
      case 'run_not_found':
        throw new ApiError('NOT_FOUND', `no run with id "${runId}"`);
      default:
        return unhandled(found);
    }
  },
});
