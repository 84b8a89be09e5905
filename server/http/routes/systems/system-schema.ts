import { z } from '@hono/zod-openapi';

/** A managed system as the API shows it: secret connection fields replaced by the mask. */
export const systemSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    type: z.string().describe('a connector type: GET /api/connector-types'),
    trusted: z.boolean(),
    uniqueFieldKey: z.string(),
    connection: z.record(z.string(), z.unknown()),
    attributes: z.array(z.string()),
    outboundMapping: z.union([z.record(z.string(), z.unknown()), z.string(), z.null()]),
    liveChanges: z
      .object({ pollSeconds: z.number().nullable(), webhookSecret: z.string().nullable() })
      .nullable()
      .describe('docs/api.md "Live changes"; the webhook secret shows as "********"'),
    lastTest: z
      .object({ ok: z.boolean(), message: z.string(), at: z.string() })
      .nullable()
      .describe('the last connection test and its time (null: never tested)'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('ManagedSystem');
export type SystemResponse = z.infer<typeof systemSchema>;

export const outboundMappingSchema = z.union([z.record(z.string(), z.string()), z.string().min(1), z.null()]);

/** docs/api.md "Live changes": the webhook's HMAC secret and the polling period; null turns both off. */
export const liveChangesSchema = z
  .strictObject({
    webhookSecret: z.string().min(16, 'use at least 16 characters').max(512).optional(),
    pollSeconds: z.number().int('must be a whole number of seconds').min(1).max(86_400).optional(),
  })
  .nullable();
