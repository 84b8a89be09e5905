import { createRoute, z } from '@hono/zod-openapi';
import { runKeysProblem } from '../../../core/lookup-accounts.ts';
import type { Services } from '../../../services/index.ts';
import { unhandled } from '../../../services/outcomes.ts';
import { access, errorResponses, idParams, json, jsonBody } from '../../api-route.ts';
import type { ApiApp } from '../../app-env.ts';
import { ApiError } from '../../errors.ts';

// No defaults here: an absent body reaches the handler as {}, so the handler applies them.
export const startRunBody = z.strictObject({
  dryRun: z.boolean().optional().describe('compute and record the plan, write nothing (default false)'),
  mode: z.enum(['full', 'incremental']).optional().describe('default full'),
  keys: z
    .array(z.string().trim().max(1000))
    .superRefine((keys, ctx) => {
      const problem = runKeysProblem(keys);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional()
    .describe('1–1000 unique field keys, or IDM object ids prefixed "idm:": a run for those objects alone'),
});
export const startRunResponse = z.object({ runId: z.string() });
export type StartRunResponse = z.infer<typeof startRunResponse>;

export const startRunRoute = createRoute({
  method: 'post',
  path: '/api/recon-configs/{id}/runs',
  ...access('operator'),
  tags: ['runs'],
  summary:
    'Start a run of a reconciliation config (it goes on in the background); no body = a full, real run',
  request: { params: idParams, body: jsonBody(startRunBody, { required: false }) },
  responses: { 202: json(startRunResponse, 'the run is queued'), ...errorResponses },
});

export function registerStartRun(app: ApiApp, services: Services) {
  app.openapi(startRunRoute, async (c) => {
    const { id: configId } = c.req.valid('param');
    const { dryRun = false, mode = 'full', keys } = c.req.valid('json');
    const started = await services.runs.start({
      configId,
      dryRun,
      mode,
      ...(keys ? { keys } : {}),
      trigger: 'api',
      startedBy: c.get('caller')?.name,
    });
    switch (started.outcome) {
      case 'started': {
        const response: StartRunResponse = { runId: started.runId };
        return c.json(response, 202);
      }
      case 'already_running':
        throw new ApiError(
          'CONFLICT',
          `a run of this config is already queued or running: ${started.runId}`,
          {
            runId: started.runId,
          },
        );
      case 'config_not_found':
        throw new ApiError('NOT_FOUND', `no reconciliation config with id "${configId}"`);
      case 'config_inactive':
        throw new ApiError(
          'CONFLICT',
          `reconciliation config "${configId}" is inactive; set its status to active`,
        );
      default:
        return unhandled(started);
    }
  });
}
