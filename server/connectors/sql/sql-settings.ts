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
    dialect: z.enum(['postgres', 'mysql']).describe('PostgreSQL, or MySQL/MariaDB'),
    host: z.string().min(1, 'the host is required').describe('The database server'),
    port: z.coerce
      .number()
      .int()
      .min(1)
      .max(65_535)
      .optional()
      .describe("The dialect's usual port when absent"),
    database: z.string().min(1, 'the database is required').describe('The database to connect to'),
    user: z.string().min(1, 'the user is required').describe('The user to sign in as'),
    password: z.string().default('').describe("The user's password"),
    ssl: z
      .strictObject({
        mode: z.enum(['disable', 'require', 'verify-full']).default('disable'),
        ca: z.string().optional(),
      })
      .default({ mode: 'disable' })
      .describe('TLS: mode disable, require or verify-full, and the CA (PEM) to verify with'),
    pool: z
      .strictObject({ max: z.coerce.number().int().min(1).max(100).default(4) })
      .default({ max: 4 })
      .describe('Connections kept open at most'),
    connectTimeoutMs: z.coerce.number().int().min(100).max(300_000).default(10_000).describe('To connect'),
    statementTimeoutMs: z.coerce
      .number()
      .int()
      .min(100)
      .max(3_600_000)
      .default(60_000)
      .describe('Per statement'),
    table: z
      .string()
      .regex(/^([A-Za-z_][A-Za-z0-9_$]*\.)?[A-Za-z_][A-Za-z0-9_$]*$/, 'must be "table" or "schema.table"')
      .describe('The table writes go to and the default query reads (table or schema.table)'),
    importQuery: z
      .string()
      .min(1)
      .optional()
      .describe('The query reads use when the target query policy gives none; no parameters'),
    keyColumn: identifier.optional().describe("The key's column when it differs from the unique field key"),
    watermarkColumn: identifier.optional().describe('A change time column for incremental runs; index it'),
    disabledColumn: identifier.optional().describe('The column a disable writes disabledValue to'),
    disabledValue: z
      .union([z.string(), z.number(), z.boolean()])
      .optional()
      .describe('The value of disabledColumn that means disabled'),
    columnMap: z
      .record(z.string().min(1), identifier)
      .default({})
      .describe('Attribute name → column name, where they differ'),
  })
  .superRefine((value, ctx) => {
    if (value.disabledColumn && value.disabledValue === undefined) {
      ctx.addIssue({ code: 'custom', path: ['disabledValue'], message: 'is required with disabledColumn' });
    }
  });

export type SqlConnection = z.output<typeof sqlConnectionSchema>;
