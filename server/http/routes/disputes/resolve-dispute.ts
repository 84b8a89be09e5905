import { z } from 'zod';
import { unhandled } from '../../../services/outcomes.ts';
import { ApiError } from '../../errors.ts';
import { defineRoute, jsonBody, pathParam } from '../../route.ts';
import { disputeSchema } from './dispute-schema.ts';

export const resolveDisputeBody = z.union([
  z.strictObject({
    idmObjectId: z.string().min(1).max(200).describe('the candidate to link the account to'),
  }),
  z.strictObject({ dismiss: z.literal(true).describe('close the dispute without a link') }),
]);

export const resolveDisputeRoute = defineRoute({
  method: 'POST',
  path: '/api/disputes/:id/resolve',
  tag: 'disputes',
  summary: 'Decide a dispute: link the account to one candidate, or dismiss it unlinked',
  status: 200,
  body: resolveDisputeBody,
  response: disputeSchema,
  handler: (services) => async (c) => {
    const id = pathParam(c, 'id');
    const decision = await jsonBody(c, resolveDisputeBody);
    const result = await services.disputes.resolve({ id, decision, decidedBy: c.get('caller').name });
    switch (result.outcome) {
      case 'resolved':
      case 'dismissed':
        return c.json(result.dispute);
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
  },
});
