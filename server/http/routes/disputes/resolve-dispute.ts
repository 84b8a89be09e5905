import { createRoute, z } from '@hono/zod-openapi';
import type { Services } from '../../../services/index.ts';
import { unhandled } from '../../../services/outcomes.ts';
import { access, errorResponses, idParams, json, jsonBody } from '../../api-route.ts';
import type { ApiApp } from '../../app-env.ts';
import { ApiError } from '../../errors.ts';
import { disputeSchema } from './dispute-schema.ts';

export const resolveDisputeBody = z.union([
  z.strictObject({
    idmObjectId: z.string().min(1).max(200).describe('the candidate to link the account to'),
  }),
  z.strictObject({ dismiss: z.literal(true).describe('close the dispute without a link') }),
]);

export const resolveDisputeRoute = createRoute({
  method: 'post',
  path: '/api/disputes/{id}/resolve',
  ...access('operator'),
  tags: ['disputes'],
  summary: 'Decide a dispute: link the account to one candidate, or dismiss it unlinked',
  request: { params: idParams, body: jsonBody(resolveDisputeBody) },
  responses: { 200: json(disputeSchema, 'the decided dispute'), ...errorResponses },
});

export function registerResolveDispute(app: ApiApp, services: Services) {
  app.openapi(resolveDisputeRoute, async (c) => {
    const { id } = c.req.valid('param');
    const decision = c.req.valid('json');
    const caller = c.get('caller');
    if (!caller) throw new ApiError('UNAUTHORIZED', 'missing token');
    const result = await services.disputes.resolve({ id, decision, decidedBy: caller.name });
    switch (result.outcome) {
      case 'resolved':
      case 'dismissed':
        return c.json(result.dispute, 200);
      case 'not_found':
        throw new ApiError('NOT_FOUND', `no dispute with id "${id}"`);
      case 'already_decided':
        throw new ApiError('CONFLICT', `the dispute is ${result.status} already`, { status: result.status });
      case 'not_a_candidate':
        throw new ApiError(
          'VALIDATION_FAILED',
          `idmObjectId: not one of the dispute's candidates (${result.candidates.join(', ')})`,
          [{ path: 'idmObjectId', message: 'not one of the candidates' }],
        );
      case 'config_not_found':
        throw new ApiError('CONFLICT', 'the config of this dispute no longer exists');
      default:
        return unhandled(result);
    }
  });
}
