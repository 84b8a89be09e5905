import { createRoute, z } from '@hono/zod-openapi';
import { formatPolicyError } from '../../../sandbox/format.ts';
import type { Services } from '../../../services/index.ts';
import { unhandled } from '../../../services/outcomes.ts';
import { access, errorResponses, json, jsonBody } from '../../api-route.ts';
import type { ApiApp } from '../../app-env.ts';
import { ApiError } from '../../errors.ts';
import { compileFailed } from './policy-schemas.ts';

export const testPolicyBody = z.strictObject({
  path: z.string().min(1).max(200),
  input: z
    .unknown()
    .describe("the policy's ctx; optional parts (system, vars, idmObject, …) may be left out"),
  source: z
    .string()
    .max(200_000, 'a policy source is at most 200,000 characters')
    .optional()
    .describe("run this source as if it were saved at `path`, without saving it (the editor's unsaved text)"),
});

const logLineSchema = z.object({
  policy: z.string(),
  level: z.enum(['debug', 'info', 'warn', 'error']),
  message: z.string(),
  file: z.string().optional(),
  line: z.number().optional(),
  column: z.number().optional(),
});

export const testPolicyResponse = z.object({
  path: z.string(),
  kind: z.string(),
  output: z.unknown(),
  logs: z.array(logLineSchema).describe('the lines the policy logged, with their file, line and column'),
});
export type TestPolicyResponse = z.infer<typeof testPolicyResponse>;

export const testPolicyRoute = createRoute({
  method: 'post',
  path: '/api/policies/test',
  ...access('admin'),
  tags: ['policies'],
  summary:
    "Run a saved policy on a sample input; 422 with the policy's path, line, column and error kind when it fails",
  request: { body: jsonBody(testPolicyBody) },
  responses: { 200: json(testPolicyResponse, "the policy's output"), ...errorResponses },
});

export function registerTestPolicy(app: ApiApp, services: Services) {
  app.openapi(testPolicyRoute, async (c) => {
    const body = c.req.valid('json');
    const tested = await services.policies.test(body.path, body.input, body.source);
    switch (tested.outcome) {
      case 'ran': {
        const response: TestPolicyResponse = {
          path: tested.path,
          kind: tested.kind,
          output: tested.output,
          logs: tested.logs,
        };
        return c.json(response, 200);
      }
      case 'not_found':
        throw new ApiError('NOT_FOUND', formatPolicyError(tested.error).split('\n')[0]!, tested.error);
      case 'policy_failed':
        throw new ApiError('UNPROCESSABLE', formatPolicyError(tested.error).split('\n')[0]!, {
          ...tested.error,
          logs: tested.logs,
        });
      case 'compile_failed':
        throw compileFailed(tested.policy);
      case 'invalid':
        // The sample-input check already names where in the ctx the problem is.
        throw new ApiError('VALIDATION_FAILED', tested.message, [
          { path: tested.path, message: tested.message },
        ]);
      default:
        return unhandled(tested);
    }
  });
}
