import { z } from 'zod';
import { formatDiagnostic } from '../../sandbox/format.ts';
import { checkPolicyPath, savePolicy } from '../../sandbox/index.ts';
import { ApiError } from '../errors.ts';
import { defineRoute, jsonBody } from '../route.ts';
import { diagnosticSchema, policyKindSchema } from './policies-view.ts';

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

export const savePolicyRoute = defineRoute({
  method: 'POST',
  path: '/api/policies',
  tag: 'policies',
  summary:
    'Save and compile a policy (typecheck against the SDK, bundle); 422 with diagnostics when it has errors, keeping the previous version',
  status: 201,
  body: savePolicyBody,
  response: savePolicyResponse,
  handler: (services) => async (c) => {
    const body = await jsonBody(c, savePolicyBody);
    const saved = await savePolicy(services.db, body.path, body.source);
    const response: SavePolicyResponse = {
      path: saved.path,
      hash: saved.hash,
      kind: saved.kind,
      diagnostics: saved.diagnostics,
    };
    if (!saved.saved) {
      const errors = saved.diagnostics.filter((d) => d.severity === 'error');
      const first = formatDiagnostic(errors[0]!, saved.path).split('\n')[0];
      const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
      throw new ApiError('UNPROCESSABLE', `${saved.path} does not compile: ${first}${more}`, response);
    }
    return c.json(response, 201);
  },
});
