import { z } from 'zod';

/** A managed system as the API shows it: secret connection fields replaced by the mask. */
export const systemSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  trusted: z.boolean(),
  uniqueFieldKey: z.string(),
  connection: z.record(z.string(), z.unknown()),
  attributes: z.array(z.string()),
  outboundMapping: z.union([z.record(z.string(), z.unknown()), z.string(), z.null()]),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type SystemResponse = z.infer<typeof systemSchema>;

export const outboundMappingSchema = z.union([z.record(z.string(), z.string()), z.string().min(1), z.null()]);
