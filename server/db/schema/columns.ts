import { sql } from 'drizzle-orm';
import { type AnyPgColumn, check, text, timestamp } from 'drizzle-orm/pg-core';

/** Shared columns: a text id made by the database, and creation/update times. */
export const id = () => text('id').primaryKey().default(sql`gen_random_uuid()::text`);

export const createdAt = () =>
  timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();

export const timestamps = {
  createdAt: createdAt(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
};

export { type ObjectType, objectTypes } from '../../core/model.ts';

/** A CHECK constraint that keeps a text column within its enum, even for raw SQL writes. */
export function oneOf(name: string, column: AnyPgColumn, values: readonly string[]) {
  return check(
    name,
    sql`${column} in (${sql.join(
      values.map((v) => sql.raw(`'${v}'`)),
      sql`, `,
    )})`,
  );
}
