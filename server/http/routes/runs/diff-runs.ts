import { createRoute, z } from '@hono/zod-openapi';
import type { Services } from '../../../services/index.ts';
import { unhandled } from '../../../services/outcomes.ts';
import { access, errorResponses, idParam, idParams, json } from '../../api-route.ts';
import type { ApiApp } from '../../app-env.ts';
import { ApiError } from '../../errors.ts';
import { diffLimit, outcomeDiffSchema } from './outcome-diff-schema.ts';

const basis = z
  .enum(['snapshot', 'events'])
  .describe('`snapshot`: every decision; `events`: only the events the run kept');

const diffRunsResponse = z.object({
  runId: z.string(),
  against: z.string(),
  configId: z.string(),
  basis: z.object({ run: basis, against: basis }),
  counts: outcomeDiffSchema.shape.counts,
  changed: outcomeDiffSchema.shape.changed,
  truncated: z.boolean(),
});
export type DiffRunsResponse = z.infer<typeof diffRunsResponse>;

export const diffRunsRoute = createRoute({
  method: 'get',
  path: '/api/runs/{id}/diff',
  ...access('viewer'),
  tags: ['runs'],
  summary:
    'Objects whose situation or response differ between two runs of a config (from `against` to this run), plus new and gone objects',
  request: {
    params: idParams,
    query: z.object({
      against: idParam.describe('the earlier run to compare with'),
      limit: diffLimit.optional(),
    }),
  },
  responses: { 200: json(diffRunsResponse, 'the outcome diff'), ...errorResponses },
});

export function registerDiffRuns(app: ApiApp, services: Services) {
  app.openapi(diffRunsRoute, async (c) => {
    const { id } = c.req.valid('param');
    const { against, limit } = c.req.valid('query');
    const result = await services.replays.diff({ runId: id, against, ...(limit ? { limit } : {}) });
    switch (result.outcome) {
      case 'diffed': {
        const { diff, outcome: _outcome, ...rest } = result;
        const response: DiffRunsResponse = { ...rest, ...diff };
        return c.json(response, 200);
      }
      case 'run_not_found':
        throw new ApiError('NOT_FOUND', `no run with id "${result.runId}"`);
      case 'different_configs':
        throw new ApiError('CONFLICT', `runs ${id} and ${against} are not runs of one config`, {
          reason: 'different_configs',
          runConfigId: result.runConfigId,
          againstConfigId: result.againstConfigId,
        });
      default:
        return unhandled(result);
    }
  });
}
