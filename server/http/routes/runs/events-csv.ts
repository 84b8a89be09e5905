import { unhandled } from '../../../services/outcomes.ts';
import { ApiError } from '../../errors.ts';
import { defineRoute, pathParam } from '../../route.ts';

export const eventsCsvRoute = defineRoute({
  method: 'GET',
  path: '/api/runs/:id/events.csv',
  tag: 'runs',
  summary: "All of a run's events as CSV (streamed; formula-like cells are prefixed with a quote)",
  status: 200,
  contentType: 'text/csv',
  handler: (services) => async (c) => {
    const runId = pathParam(c, 'id');
    const found = await services.activity.eventsCsv(runId);
    switch (found.outcome) {
      case 'found':
        break;
      case 'run_not_found':
        throw new ApiError('NOT_FOUND', `no run with id "${runId}"`);
      default:
        return unhandled(found);
    }
    const { chunks } = found;
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const next = await chunks.next();
          if (next.done) controller.close();
          else controller.enqueue(encoder.encode(next.value));
        } catch (error) {
          services.log.error({ err: error, runId }, 'events.csv stream failed');
          controller.error(error);
        }
      },
      async cancel() {
        await chunks.return(undefined);
      },
    });
    const filename = `run-${runId.replace(/[^A-Za-z0-9_-]/g, '_')}-events.csv`;
    return c.body(body, 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${filename}"`,
      'x-content-type-options': 'nosniff',
    });
  },
});
