import type { Attributes, IdmObject, IdmStatus, ObjectType } from '../core/model.ts';
import type { AttributeSources, IdmEntry } from '../core/recon-config.ts';

/** An idm_objects row as the bulk queries select it. */
export type IdmRow = {
  id: string;
  type: ObjectType;
  status: IdmStatus;
  name: string;
  login: string | null;
  email: string | null;
  employee_id: string | null;
  attributes: Attributes | string;
  attribute_sources: AttributeSources | string | null;
  version?: number;
};

/** PGlite and postgres.js both parse jsonb; a text-typed path may still hand back a string. */
export const json = <T>(value: T | string | null): T | null =>
  typeof value === 'string' ? (JSON.parse(value) as T) : value;

/** The indexed columns appear among the attributes, as the engine and policies expect. */
export function idmEntryOf(row: IdmRow): IdmEntry {
  const attributes: Attributes = { ...(json(row.attributes) ?? {}) };
  attributes.name ??= row.name;
  if (row.login !== null) attributes.login ??= row.login;
  if (row.email !== null) attributes.email ??= row.email;
  if (row.employee_id !== null) attributes.employeeId ??= row.employee_id;
  const object: IdmObject = { id: row.id, type: row.type, status: row.status, attributes };
  return { object, sources: json(row.attribute_sources) ?? {}, version: Number(row.version ?? 1) };
}
