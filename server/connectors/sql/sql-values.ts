import { listAsText } from '../../core/list-text.ts';
import type { AttributeValue } from '../../core/model.ts';
import type { SqlParam } from './sql-driver.ts';

/** A column value as an account attribute: dates as ISO 8601, bytes as base64, JSON as text. */
export function toAttribute(value: unknown): AttributeValue {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map((item) => String(item));
  if (typeof value === 'object') return JSON.stringify(value);
  return value as string | number | boolean;
}

/** A change marker's sortable form: timestamps compare as ISO strings, counters as numbers. */
export type Marker = string | number | bigint;

export function toMarker(value: unknown): Marker | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number' || typeof value === 'bigint') return value;
  return String(value);
}

export function laterMarker(a: Marker | null, b: Marker | null): Marker | null {
  if (a === null) return b;
  if (b === null) return a;
  if (typeof a !== 'string' && typeof b !== 'string') return b > a ? b : a;
  return String(b) > String(a) ? b : a;
}

const isoTimestamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * The stored watermark as a query parameter. MySQL compares a DATETIME with a Date (sent in UTC)
 * correctly but not with an ISO string ending in `Z`; PostgreSQL casts the text itself.
 */
export function watermarkParam(watermark: string, dialect: 'postgres' | 'mysql'): SqlParam {
  if (dialect === 'mysql' && isoTimestamp.test(watermark)) return new Date(watermark);
  return watermark;
}

/**
 * An attribute value as a parameter; lists have no column to go to. ISO timestamps (how every
 * connector reads dates) go to a MySQL date column as a Date, which MySQL cannot parse from text.
 */
export function toParam(
  name: string,
  value: AttributeValue,
  type: string,
  dialect: 'postgres' | 'mysql',
): SqlParam {
  if (Array.isArray(value)) {
    // A text column holds a list as `;`-separated text, which the engine reads back as the list.
    if (!/char|text/i.test(type)) throw new Error(`column "${name}" holds one value, not a list`);
    const list = listAsText(name, value);
    if ('problem' in list) throw new Error(list.problem);
    return list.text;
  }
  if (typeof value === 'string' && /date|time/i.test(type)) return watermarkParam(value, dialect);
  return value;
}
