import { z } from 'zod';
import { unhandled } from '../../services/outcomes.ts';
import { ApiError, invalidInput } from '../errors.ts';
import { defineRoute } from '../route.ts';
import { diagnosticSchema, policySummarySchema } from './policies-view.ts';

export const getPolicyResponse = policySummarySchema.extend({
  source: z.string(),
  createdAt: z.string(),
  diagnostics: z.array(diagnosticSchema),
});
export type GetPolicyResponse = z.infer<typeof getPolicyResponse>;

const prefix = '/api/policies/';

export const getPolicyRoute = defineRoute({
  method: 'GET',
  path: '/api/policies/*',
  tag: 'policies',
  summary: 'Read one saved policy: its source, kind, build hash and warnings',
  status: 200,
  response: getPolicyResponse,
  handler: (services) => async (c) => {
    let path: string;
    try {
      path = decodeURIComponent(c.req.path.slice(prefix.length));
    } catch {
      throw new ApiError('BAD_REQUEST', 'the policy path is not valid percent-encoding');
    }
    const found = await services.policies.get(path);
    switch (found.outcome) {
      case 'found': {
        const response: GetPolicyResponse = found.policy;
        return c.json(response);
      }
      case 'not_found':
        throw new ApiError('NOT_FOUND', `no policy is saved at "${path}"`);
      case 'invalid':
        throw invalidInput(found);
      default:
        return unhandled(found);
    }
  },
});
