import { z } from 'zod';
import { formatPolicyError } from '../../sandbox/format.ts';
import { unhandled } from '../../services/outcomes.ts';
import { ApiError } from '../errors.ts';
import { defineRoute, jsonBody } from '../route.ts';

export const testPolicyBody = z.strictObject({
  path: z.string().min(1).max(200),
  input: z
    .unknown()
    .describe("the policy's ctx; optional parts (system, vars, idmObject, …) may be left out"),
});

export const testPolicyResponse = z.object({ path: z.string(), kind: z.string(), output: z.unknown() });
export type TestPolicyResponse = z.infer<typeof testPolicyResponse>;

export const testPolicyRoute = defineRoute({
  method: 'POST',
  path: '/api/policies/test',
  tag: 'policies',
  summary:
    "Run a saved policy on a sample input; 422 with the policy's path, line, column and error kind when it fails",
  status: 200,
  body: testPolicyBody,
  response: testPolicyResponse,
  handler: (services) => async (c) => {
    const body = await jsonBody(c, testPolicyBody);
    const tested = await services.policies.test(body.path, body.input);
    switch (tested.outcome) {
      case 'ran': {
        const response: TestPolicyResponse = { path: tested.path, kind: tested.kind, output: tested.output };
        return c.json(response);
      }
      case 'not_found':
        throw new ApiError('NOT_FOUND', formatPolicyError(tested.error).split('\n')[0]!, tested.error);
      case 'policy_failed':
        throw new ApiError('UNPROCESSABLE', formatPolicyError(tested.error).split('\n')[0]!, tested.error);
      case 'invalid':
        // The sample-input check already names where in the ctx the problem is.
        throw new ApiError('VALIDATION_FAILED', tested.message, [
          { path: tested.path, message: tested.message },
        ]);
      default:
        return unhandled(tested);
    }
  },
});
