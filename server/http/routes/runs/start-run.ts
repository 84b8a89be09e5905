import { z } from 'zod';
import { runKeysProblem } from '../../../core/lookup-accounts.ts';
import { ApiError } from '../../errors.ts';
import { defineRoute, jsonBody, pathParam } from '../../route.ts';

/** API.md "Starting a run": `keys` runs the config for those objects alone (`mode: keys`). */
export const runKeys = z
  .array(z.string().trim().max(1000))
  .superRefine((keys, ctx) => {
    const problem = runKeysProblem(keys);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe('unique field keys of accounts, or IDM object ids prefixed "idm:"');

export const startRunBody = z.strictObject({
  dryRun: z.boolean().default(false),
  mode: z.enum(['full', 'incremental']).default('full'),
  keys: runKeys.optional(),
});
export const startRunResponse = z.object({ runId: z.string() });
export type StartRunResponse = z.infer<typeof startRunResponse>;

export const startRunRoute = defineRoute({
  method: 'POST',
  path: '/api/recon-configs/:id/runs',
  tag: 'runs',
  summary: 'Start a run of a reconciliation config (it goes on in the background)',
  status: 202,
  body: startRunBody,
  response: startRunResponse,
  handler: (services) => async (c) => {
    const configId = pathParam(c, 'id');
    // An empty body means the defaults: a full, real run.
    const body = await jsonBody(c, startRunBody, { emptyIsObject: true });
    const { keys, ...rest } = body;
    const started = await services.runs.start({
      configId,
      ...rest,
      ...(keys ? { keys } : {}),
      trigger: 'api',
      startedBy: c.get('caller').name,
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
      default: {
        const unreachable: never = started;
        throw new Error(`unknown start outcome ${JSON.stringify(unreachable)}`);
      }
    }
  },
});
