import { createRoute, z } from '@hono/zod-openapi';
import type { Services } from '../../../services/index.ts';
import { unhandled } from '../../../services/outcomes.ts';
import { access, errorResponses, idParams, json, jsonBody } from '../../api-route.ts';
import type { ApiApp } from '../../app-env.ts';
import { ApiError, invalidInput } from '../../errors.ts';
import { compileFailed } from '../policies/policy-schemas.ts';
import { diffLimit, outcomeDiffSchema } from './outcome-diff-schema.ts';

export const replayRunBody = z.strictObject({
  policies: z
    .record(z.string(), z.string().max(200_000, 'a policy source is at most 200,000 characters'))
    .describe('new policy sources by path, e.g. { "hr/population.ts": "…" }; nothing is saved'),
});

const replayRunResponse = z.object({
  runId: z.string().describe('the recorded run'),
  configId: z.string(),
  status: z
    .enum(['succeeded', 'succeeded_with_errors', 'stopped_by_threshold', 'stopped_by_guard'])
    .describe('how the replayed plan would have ended'),
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }).nullable(),
  failed: z.number().describe('decisions that failed in the replay'),
  policies: z.array(z.object({ path: z.string(), hash: z.string() })).describe('the versions replayed'),
  durationMs: z.number(),
  counts: outcomeDiffSchema.shape.counts,
  changed: outcomeDiffSchema.shape.changed,
  truncated: z.boolean(),
});
export type ReplayRunResponse = z.infer<typeof replayRunResponse>;

export const replayRunRoute = createRoute({
  method: 'post',
  path: '/api/runs/{id}/replay',
  ...access('operator'),
  tags: ['runs'],
  summary:
    "Replay a recorded full run with new policy versions: the config's correlation and decisions on the run's snapshot, in the sandbox, writing nothing; answers the objects whose situation, response or attribute changes differ",
  request: {
    params: idParams,
    query: z.object({ limit: diffLimit.optional() }),
    body: jsonBody(replayRunBody),
  },
  responses: { 200: json(replayRunResponse, 'the outcome diff'), ...errorResponses },
});

export function registerReplayRun(app: ApiApp, services: Services) {
  app.openapi(replayRunRoute, async (c) => {
    const { id } = c.req.valid('param');
    const { limit } = c.req.valid('query');
    const { policies } = c.req.valid('json');
    const caller = c.get('caller');
    if (!caller) throw new ApiError('UNAUTHORIZED', 'missing token');
    const result = await services.replays.replay({
      runId: id,
      policies,
      by: caller.name,
      ...(limit ? { limit } : {}),
    });
    switch (result.outcome) {
      case 'replayed': {
        const { diff, outcome: _outcome, ...rest } = result;
        const response: ReplayRunResponse = { ...rest, ...diff };
        return c.json(response, 200);
      }
      case 'run_not_found':
        throw new ApiError('NOT_FOUND', `no run with id "${id}"`);
      case 'config_not_found':
        throw new ApiError(
          'CONFLICT',
          `run ${id} has no config any more; there is nothing to replay it with`,
          {
            reason: 'config_not_found',
          },
        );
      case 'no_snapshot':
        throw new ApiError(
          'CONFLICT',
          `run ${id} kept no snapshot to replay (status ${result.status}, mode ${result.mode}): only the last full runs of a config that ended with a plan keep theirs`,
          { reason: 'no_snapshot', status: result.status, mode: result.mode },
        );
      case 'compile_failed':
        throw compileFailed({ path: result.path, hash: '', kind: null, diagnostics: result.diagnostics });
      case 'replay_failed':
        throw new ApiError('UNPROCESSABLE', `the replay could not plan: ${result.error.message}`, {
          reason: 'replay_failed',
          error: result.error,
        });
      case 'invalid':
        throw invalidInput(result);
      default:
        return unhandled(result);
    }
  });
}
