import { z } from '@hono/zod-openapi';
import { disputeStatuses } from '../../../db/schema/disputes.ts';

export const disputeSchema = z.object({
  id: z.string(),
  configId: z.string(),
  runId: z.string().nullable(),
  objectKey: z.string(),
  account: z.record(z.string(), z.unknown()).nullable(),
  candidates: z.array(
    z.object({
      idmObjectId: z.string(),
      name: z.string().nullable().describe("the IDM object's name when the dispute was recorded"),
      score: z.number().nullable(),
      attributes: z.record(z.string(), z.unknown()),
    }),
  ),
  status: z.enum(disputeStatuses),
  idmObjectId: z.string().nullable(),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
