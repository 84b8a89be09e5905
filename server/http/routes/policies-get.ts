import { z } from 'zod';
import { checkPolicyPath } from '../../sandbox/compile/sources.ts';
import { getPolicy } from '../../sandbox/store.ts';
import { ApiError } from '../errors.ts';
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
    const problem = checkPolicyPath(path);
    if (problem)
      throw new ApiError('VALIDATION_FAILED', `path: ${problem}`, [{ path: 'path', message: problem }]);
    const row = await getPolicy(services.db, path);
    if (!row) throw new ApiError('NOT_FOUND', `no policy is saved at "${path}"`);
    const response: GetPolicyResponse = {
      ...row,
      kind: row.kind as GetPolicyResponse['kind'],
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
    return c.json(response);
  },
});
