/** Keys per statement that lists them (`in (…)`, multi-row): well inside every driver's parameter limit. */
export const keysPerStatement = 500;

/** `count` placeholders from the `from`-th parameter, comma-separated. */
export const placeholders = (driver: SqlDriver, count: number, from = 1) =>
  Array.from({ length: count }, (_, i) => driver.placeholder(from + i)).join(', ');

/** A SQL value as the drivers take it. */
export type SqlParam = string | number | boolean | null | Date;
export type SqlRow = Record<string, unknown>;

/**
 * What the SQL connector needs from a database driver, so PostgreSQL (postgres.js) and
 * MySQL/MariaDB (mysql2) differ in one small file each. Every value travels as a parameter.
 */
export type SqlDriver = {
  /** `"name"` for PostgreSQL, `` `name` `` for MySQL; the name is validated before it gets here. */
  quote(identifier: string): string;
  /** The placeholder for the n-th (1-based) parameter. */
  placeholder(position: number): string;
  /** Column names and types of a table, or [] when the table does not exist. */
  columns(schema: string | undefined, table: string): Promise<Array<{ name: string; type: string }>>;
  /** Streams a query's rows in batches of about `batchSize` (cursor / streaming query). */
  stream(text: string, params: SqlParam[], batchSize: number): AsyncIterable<SqlRow[]>;
  /** Runs a statement; answers how many rows it matched. */
  execute(text: string, params: SqlParam[]): Promise<number>;
  close(): Promise<void>;
};
