import { z } from 'zod';

const identifier = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_$]*$/, 'must be a plain identifier (letters, digits, _ and $)');

/**
 * A PostgreSQL or MySQL/MariaDB system. `table` (optionally `schema.table`) is the table mapping
 * writes go through and the default import query reads. `password` is the secret.
 */
export const sqlConnectionSchema = z
  .strictObject({
    dialect: z.enum(['postgres', 'mysql']),
    host: z.string().min(1, 'the host is required'),
    port: z.coerce.number().int().min(1).max(65_535).optional(),
    database: z.string().min(1, 'the database is required'),
    user: z.string().min(1, 'the user is required'),
    password: z.string().default(''),
    ssl: z
      .strictObject({
        mode: z.enum(['disable', 'require', 'verify-full']).default('disable'),
        ca: z.string().optional(),
      })
      .default({ mode: 'disable' }),
    pool: z.strictObject({ max: z.coerce.number().int().min(1).max(100).default(4) }).default({ max: 4 }),
    connectTimeoutMs: z.coerce.number().int().min(100).max(300_000).default(10_000),
    statementTimeoutMs: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
    table: z
      .string()
      .regex(/^([A-Za-z_][A-Za-z0-9_$]*\.)?[A-Za-z_][A-Za-z0-9_$]*$/, 'must be "table" or "schema.table"'),
    /** The system's import query when the target query policy gives none; no parameters. */
    importQuery: z.string().min(1).optional(),
    keyColumn: identifier.optional(),
    watermarkColumn: identifier.optional(),
    disabledColumn: identifier.optional(),
    disabledValue: z.union([z.string(), z.number(), z.boolean()]).optional(),
    /** Attribute name → column name, where they differ. */
    columnMap: z.record(z.string().min(1), identifier).default({}),
  })
  .superRefine((value, ctx) => {
    if (value.disabledColumn && value.disabledValue === undefined) {
      ctx.addIssue({ code: 'custom', path: ['disabledValue'], message: 'is required with disabledColumn' });
    }
  });

export type SqlConnection = z.output<typeof sqlConnectionSchema>;
