import { z } from '@hono/zod-openapi';
import { policyKinds } from '../../../core/policy-port.ts';

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
