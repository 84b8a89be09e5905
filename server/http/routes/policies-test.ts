import { z } from 'zod';
import { PolicyError } from '../../core/policy-port.ts';
import { formatPolicyError } from '../../sandbox/format.ts';
import { runSample, SampleInputError } from '../../sandbox/sample-input.ts';
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
    let outcome: Awaited<ReturnType<typeof runSample>>;
    try {
      const build = await services.policies.loadBuild(body.path);
      outcome = await runSample(services.policies.executor, build, body.input ?? {});
      if (outcome.ok) {
        const response: TestPolicyResponse = { path: build.path, kind: build.kind, output: outcome.output };
        return c.json(response);
      }
    } catch (error) {
      if (error instanceof SampleInputError) throw new ApiError('VALIDATION_FAILED', error.message);
      if (error instanceof PolicyError && error.info.kind === 'not_found') {
        throw new ApiError('NOT_FOUND', error.message, error.info);
      }
      if (error instanceof PolicyError) throw new ApiError('UNPROCESSABLE', error.message, error.info);
      throw error;
    }
    throw new ApiError('UNPROCESSABLE', formatPolicyError(outcome.error).split('\n')[0]!, outcome.error);
  },
});
