import { createRoute, z } from '@hono/zod-openapi';
import type { Services } from '../../../services/index.ts';
import { unhandled } from '../../../services/outcomes.ts';
import { access, errorResponses, idParams, json, jsonBody } from '../../api-route.ts';
import type { ApiApp } from '../../app-env.ts';
import { ApiError } from '../../errors.ts';

export const applyRunBody = z.strictObject({
  planHash: z
    .string()
    .regex(/^[0-9a-f]{64}$/, "must be the run's planHash (64 hex digits)")
    .describe('the planHash of the run as reviewed'),
});
export const applyRunResponse = z.object({ runId: z.string(), planHash: z.string() });
export type ApplyRunResponse = z.infer<typeof applyRunResponse>;

export const applyRunRoute = createRoute({
  method: 'post',
  path: '/api/runs/{id}/apply',
  // Operators apply reviewed plans; a held plan needs an admin, which the review service checks.
  ...access('operator'),
  tags: ['runs'],
  summary:
    'Apply exactly the plan of a dry run, or the held plan of a stopped_by_threshold / stopped_by_guard run (admin only), checked against drift',
  request: { params: idParams, body: jsonBody(applyRunBody) },
  responses: { 202: json(applyRunResponse, 'the apply run is queued'), ...errorResponses },
});

export function registerApplyRun(app: ApiApp, services: Services) {
  app.openapi(applyRunRoute, async (c) => {
    const { id } = c.req.valid('param');
    const { planHash } = c.req.valid('json');
    const caller = c.get('caller');
    if (!caller) throw new ApiError('UNAUTHORIZED', 'missing token');
    const result = await services.review.apply({
      runId: id,
      planHash,
      approver: { name: caller.name, role: caller.role },
    });
    switch (result.outcome) {
      case 'started': {
        const response: ApplyRunResponse = { runId: result.runId, planHash: result.planHash };
        return c.json(response, 202);
      }
      case 'run_not_found':
        throw new ApiError('NOT_FOUND', `no run with id "${id}"`);
      case 'forbidden':
        throw new ApiError('FORBIDDEN', result.reason);
      case 'not_a_plan':
        throw new ApiError(
          'CONFLICT',
          `run ${id} holds no plan to apply: it is ${result.dryRun ? 'a dry run' : 'a run'} with status ${result.status}; only a succeeded dry run or a stopped_by_threshold / stopped_by_guard run holds one`,
          { reason: 'not_a_plan', status: result.status },
        );
      case 'plan_hash_mismatch':
        throw new ApiError('CONFLICT', 'planHash does not match the plan of this run: review it again', {
          reason: 'plan_hash_mismatch',
          planHash: result.planHash,
        });
      case 'already_applied':
        throw new ApiError('CONFLICT', `this plan was applied already, by run ${result.runId}`, {
          reason: 'already_applied',
          runId: result.runId,
        });
      case 'config_changed':
        throw new ApiError(
          'CONFLICT',
          `reconciliation config "${result.configId}" or its system changed since the plan was made; make a new plan`,
          { reason: 'config_changed', configId: result.configId },
        );
      case 'config_not_found':
        throw new ApiError('CONFLICT', 'the config of this plan no longer exists', {
          reason: 'config_not_found',
        });
      case 'already_running':
        throw new ApiError('CONFLICT', `a run of this config is already queued or running: ${result.runId}`, {
          reason: 'already_running',
          runId: result.runId,
        });
      default:
        return unhandled(result);
    }
  });
}
