import { z } from 'zod';
import { objectTypes } from '../../../core/model.ts';
import { type IdmObjectRow, idmStatuses } from '../../../db/schema/idm-objects.ts';

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

export function toIdmObject(row: IdmObjectRow): IdmObjectResponse {
  return {
    id: row.id,
    type: row.type,
    name: row.name,
    status: row.status,
    login: row.login,
    email: row.email,
    employeeId: row.employeeId,
    attributes: row.attributes,
    attributeSources: row.attributeSources,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    deletedAt: row.deletedAt?.toISOString() ?? null,
  };
}
