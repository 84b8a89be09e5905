import { createRoute, z } from '@hono/zod-openapi';
import type { Services } from '../../../services/index.ts';
import { unhandled } from '../../../services/outcomes.ts';
import { access, errorResponses, idParams, json } from '../../api-route.ts';
import type { ApiApp } from '../../app-env.ts';
import { ApiError } from '../../errors.ts';

const undoRunResponse = z.object({
  runId: z.string().describe('the undo plan: a dry run to review, then apply with its planHash'),
  planHash: z.string(),
  undoOf: z.string(),
  planned: z.number().int().describe('inverse actions in the plan'),
  notUndone: z
    .array(
      z.object({
        seq: z.number().int().describe('the event of the undone run'),
        objectKey: z.string().nullable(),
        idmObjectId: z.string().nullable(),
        code: z
          .string()
          .describe('`cannot_undo`, `changed_since_run`, or `partly` (the rest of the action is planned)'),
        reason: z.string(),
      }),
    )
    .describe(
      'what the plan will not undo, or undoes only in part, and why: known before anything is applied',
    ),
});
export type UndoRunResponse = z.infer<typeof undoRunResponse>;

export const undoRunRoute = createRoute({
  method: 'post',
  path: '/api/runs/{id}/undo',
  ...access('admin'),
  tags: ['runs'],
  summary:
    'Plan the undo of a run: a dry run whose plan is the inverse of every action the run applied; apply it like any plan (POST /api/runs/{undo plan}/apply)',
  request: { params: idParams },
  responses: {
    202: json(undoRunResponse, 'the undo plan is made, nothing is applied yet'),
    ...errorResponses,
  },
});

export function registerUndoRun(app: ApiApp, services: Services) {
  app.openapi(undoRunRoute, async (c) => {
    const { id } = c.req.valid('param');
    const caller = c.get('caller');
    if (!caller) throw new ApiError('UNAUTHORIZED', 'missing token');
    const result = await services.undo.plan({
      runId: id,
      approver: { name: caller.name, role: caller.role },
    });
    switch (result.outcome) {
      case 'planned': {
        const { outcome: _outcome, ...plan } = result;
        const response: UndoRunResponse = plan;
        return c.json(response, 202);
      }
      case 'run_not_found':
        throw new ApiError('NOT_FOUND', `no run with id "${id}"`);
      case 'forbidden':
        throw new ApiError('FORBIDDEN', result.reason);
      case 'not_undoable':
        throw new ApiError('CONFLICT', `run ${id} cannot be undone: ${result.reason}`, {
          reason: 'not_undoable',
          status: result.status,
        });
      case 'already_undone':
        throw new ApiError('CONFLICT', `run ${id} was undone already, by run ${result.runId}`, {
          reason: 'already_undone',
          runId: result.runId,
        });
      case 'config_not_found':
        throw new ApiError('CONFLICT', 'the config of this run no longer exists', {
          reason: 'config_not_found',
        });
      default:
        return unhandled(result);
    }
  });
}
