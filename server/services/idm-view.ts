import type { IdmStatus, ObjectType } from '../core/model.ts';
import type { IdmObjectRow } from '../db/schema/idm-objects.ts';

/** An IDM object as services answer it: times as ISO strings. */
export type IdmObjectView = {
  id: string;
  type: ObjectType;
  name: string;
  status: IdmStatus;
  login: string | null;
  email: string | null;
  employeeId: string | null;
  attributes: Record<string, unknown>;
  attributeSources: Record<string, { systemId: string; confidence: number }>;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
};

export function toIdmObjectView(row: IdmObjectRow): IdmObjectView {
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
