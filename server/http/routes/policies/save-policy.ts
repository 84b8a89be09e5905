import { createRoute, z } from '@hono/zod-openapi';
import { checkPolicyPath } from '../../../sandbox/compile/sources.ts';
import type { Services } from '../../../services/index.ts';
import { unhandled } from '../../../services/outcomes.ts';
import { access, errorResponses, json, jsonBody } from '../../api-route.ts';
import type { ApiApp } from '../../app-env.ts';
import { invalidInput } from '../../errors.ts';
import { compileFailed, diagnosticSchema, policyKindSchema } from './policy-schemas.ts';

export const savePolicyBody = z.strictObject({
  path: z
    .string()
    .superRefine((path, ctx) => {
      const problem = checkPolicyPath(path);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .describe('relative, "/"-separated, ending in .ts, e.g. "hr/population.ts"'),
  source: z.string().max(200_000, 'a policy source is at most 200,000 characters'),
});

export const savePolicyResponse = z.object({
  path: z.string(),
  hash: z.string(),
  kind: policyKindSchema,
  diagnostics: z.array(diagnosticSchema),
});
export type SavePolicyResponse = z.infer<typeof savePolicyResponse>;

export const savePolicyRoute = createRoute({
  method: 'post',
  path: '/api/policies',
  ...access('admin'),
  tags: ['policies'],
  summary:
    'Save and compile a policy (typecheck against the SDK, bundle); 422 with diagnostics when it has errors, keeping the previous version',
  request: { body: jsonBody(savePolicyBody) },
  responses: { 201: json(savePolicyResponse, 'saved and compiled'), ...errorResponses },
});

export function registerSavePolicy(app: ApiApp, services: Services) {
  app.openapi(savePolicyRoute, async (c) => {
    const body = c.req.valid('json');
    const saved = await services.policies.save(body.path, body.source);
    switch (saved.outcome) {
      case 'saved': {
        const response: SavePolicyResponse = saved.policy;
        return c.json(response, 201);
      }
      case 'compile_failed':
        throw compileFailed(saved.policy);
      case 'invalid':
        throw invalidInput(saved);
      default:
        return unhandled(saved);
    }
  });
}
