import type { DisabledReading } from '../disabled-reading.ts';
import type { SqlDriver } from './sql-driver.ts';
import type { SqlConnection } from './sql-settings.ts';

export type SqlTable = {
  driver: SqlDriver;
  connection: SqlConnection;
  /** `"schema"."table"`, quoted for the dialect. */
  name: string;
  keyColumn: string;
  column(attribute: string): string;
  attribute(column: string): string;
  /** The table's real columns, read once; a missing table is an error naming it. */
  columns(): Promise<string[]>;
  /** Column name → the database's type name (`timestamp with time zone`, `datetime`, …). */
  types(): Promise<Map<string, string>>;
  /** Whether a value of the disabled column means disabled (`disabledValue`); undefined when absent. */
  isDisabledValue(value: unknown): boolean | undefined;
  /** What reads noted about disabled accounts, for isDisabled. */
  disabled: DisabledReading;
};
