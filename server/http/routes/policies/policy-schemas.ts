import { z } from '@hono/zod-openapi';
import { policyKinds } from '../../../core/policy-port.ts';
import { formatDiagnostic } from '../../../sandbox/format.ts';
import type { CompiledPolicy } from '../../../services/policies.ts';
import { ApiError } from '../../errors.ts';

/** Shapes shared by the policy routes (and the OpenAPI document). */
export const diagnosticSchema = z.object({
  line: z.number(),
  column: z.number(),
  message: z.string(),
  severity: z.enum(['error', 'warning']),
  code: z.string().optional(),
  file: z.string().optional(),
  kind: z.enum(['compile', 'import', 'type']).optional(),
});

export const policyKindSchema = z
  .enum(policyKinds)
  .nullable()
  .describe('null for a helper module (no default export) that policies import');

export const policySummarySchema = z.object({
  path: z.string(),
  hash: z.string(),
  kind: policyKindSchema,
  updatedAt: z.string(),
});

/** 422 for a source with errors: the first error in the message, the policy with every diagnostic in details. */
export function compileFailed(policy: CompiledPolicy): ApiError {
  const errors = policy.diagnostics.filter((d) => d.severity === 'error');
  const first = formatDiagnostic(errors[0]!, policy.path).split('\n')[0];
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return new ApiError('UNPROCESSABLE', `${policy.path} does not compile: ${first}${more}`, policy);
}
