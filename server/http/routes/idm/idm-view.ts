import { z } from '@hono/zod-openapi';
import { objectTypes } from '../../../core/model.ts';
import { idmStatuses } from '../../../db/schema/idm-objects.ts';

/** The URL segment of each object type. */
export const idmCollections = {
  users: 'User',
  groups: 'Group',
  roles: 'Role',
  organizations: 'Organization',
} as const satisfies Record<string, (typeof objectTypes)[number]>;
export type IdmCollection = keyof typeof idmCollections;

export const idmObjectSchema = z.object({
  id: z.string(),
  type: z.enum(objectTypes),
  name: z.string(),
  status: z.enum(idmStatuses),
  login: z.string().nullable(),
  email: z.string().nullable(),
  employeeId: z.string().nullable(),
  attributes: z.record(z.string(), z.unknown()),
  attributeSources: z.record(z.string(), z.object({ systemId: z.string(), confidence: z.number() })),
  createdAt: z.string(),
  updatedAt: z.string(),
  deletedAt: z.string().nullable(),
});
export type IdmObjectResponse = z.infer<typeof idmObjectSchema>;
