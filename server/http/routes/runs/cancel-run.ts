import { createRoute, z } from '@hono/zod-openapi';
import { runStatuses } from '../../../core/model.ts';
import type { Services } from '../../../services/index.ts';
import { unhandled } from '../../../services/outcomes.ts';
import { access, errorResponses, idParams, json } from '../../api-route.ts';
import type { ApiApp } from '../../app-env.ts';
import { ApiError } from '../../errors.ts';

const cancelRunResponse = z.object({
  runId: z.string(),
  status: z
    .enum(runStatuses)
    .describe('`cancelled` for a queued run; `running` for a run that stops at its next batch boundary'),
  cancelRequestedAt: z.string(),
  cancelledBy: z.string().describe('who asked first'),
});
export type CancelRunResponse = z.infer<typeof cancelRunResponse>;

export const cancelRunRoute = createRoute({
  method: 'post',
  path: '/api/runs/{id}/cancel',
  ...access('operator'),
  tags: ['runs'],
  summary:
    'Cancel a queued run at once, or a running one at its next batch boundary (status `cancelled`; what it applied stays journaled); 409 for a run that has ended',
  request: { params: idParams },
  responses: { 202: json(cancelRunResponse, 'the cancel request is stored'), ...errorResponses },
});

export function registerCancelRun(app: ApiApp, services: Services) {
  app.openapi(cancelRunRoute, async (c) => {
    const { id } = c.req.valid('param');
    const caller = c.get('caller');
    if (!caller) throw new ApiError('UNAUTHORIZED', 'missing token');
    const result = await services.cancel.cancel(id, caller.name);
    switch (result.outcome) {
      case 'cancelled':
      case 'cancel_requested': {
        const response: CancelRunResponse = {
          runId: result.runId,
          status: result.outcome === 'cancelled' ? 'cancelled' : 'running',
          cancelRequestedAt: result.cancelRequestedAt.toISOString(),
          cancelledBy: result.cancelledBy,
        };
        return c.json(response, 202);
      }
      case 'run_not_found':
        throw new ApiError('NOT_FOUND', `no run with id "${id}"`);
      case 'already_ended':
        throw new ApiError(
          'CONFLICT',
          `run ${id} has ended already (status ${result.status}); there is nothing to cancel`,
          {
            reason: 'already_ended',
            status: result.status,
          },
        );
      default:
        return unhandled(result);
    }
  });
}
