import { sql } from 'drizzle-orm';
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

/** The columns of an `idm_objects o` row as idmEntryOf reads them. */
export const idmColumns = sql`o.id, o.type, o.status, o.name, o.login, o.email, o.employee_id, o.attributes, o.attribute_sources, o.version`;

/** Rows travel as one jsonb parameter, unpacked with `jsonb_to_recordset`. */
export const rowsParam = (rows: unknown[]) => sql`${JSON.stringify(rows)}::jsonb`;

/**
 * A list travels as one jsonb parameter, unpacked with `= any(array(…))`, which PostgreSQL
 * evaluates once and serves from the index (`in (select …)` made it plan a scan per batch).
 */
export const listParam = (values: unknown[]) =>
  sql`array(select jsonb_array_elements_text(${JSON.stringify(values)}::jsonb))`;
