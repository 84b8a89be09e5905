import { type SQL, sql } from 'drizzle-orm';

type ColumnType = 'int' | 'text' | 'jsonb' | 'boolean' | 'timestamptz';

/** One column of a row set: its name in the statement, its type and how a row gives its value. */
export type Column<T> = readonly [name: string, type: ColumnType, value: (row: T) => unknown];

/**
 * Every column travels as text[] and is cast on the server: drivers type array parameters
 * their own way (postgres.js by the first element, and drizzle passes a timestamptz[] through
 * unserialised), while text[] is the same on postgres.js and PGlite.
 */
function asText(type: ColumnType, value: unknown): string | number | null {
  if (value === null || value === undefined) return null;
  if (type === 'jsonb') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/**
 * `unnest(…) as x(…)`: rows as one typed array parameter per column, so PostgreSQL parses each
 * value once. (A `jsonb_to_recordset` over one JSON document parsed the document, then every
 * jsonb field of every row a second time.) JavaScript null and undefined are SQL null.
 */
export function unnestRows<T>(rows: readonly T[], columns: readonly Column<T>[]): SQL {
  const params = columns.map(([, type, value]) => {
    const values = rows.map((row) => asText(type, value(row)));
    return sql`${sql.param(values)}::text[]${sql.raw(type === 'text' ? '' : `::${type}[]`)}`;
  });
  return sql`unnest(${sql.join(params, sql`, `)}) as x(${sql.raw(columns.map(([name]) => name).join(', '))})`;
}
