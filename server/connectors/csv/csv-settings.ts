import { z } from 'zod';

export const csvEncodings = ['utf8', 'utf16le', 'latin1'] as const;
export type CsvEncoding = (typeof csvEncodings)[number];

const columnName = z.string().min(1, 'a column name cannot be empty');

/**
 * A CSV / delimited file system (IDHub's file-based sync for disconnected applications).
 * `header: false` needs `columns`, the names of the file's columns in order.
 */
export const csvConnectionSchema = z
  .strictObject({
    path: z.string().min(1, 'the path of the file is required'),
    delimiter: z.string().length(1, 'the delimiter must be one character').default(','),
    header: z.boolean().default(true),
    columns: z.array(columnName).min(1).optional(),
    /** One character; the empty string turns quoting off. */
    quote: z.string().max(1, 'the quote must be one character, or empty for none').default('"'),
    encoding: z.enum(csvEncodings).default('utf8'),
    watermarkColumn: columnName.optional(),
    disabledColumn: columnName.optional(),
    disabledValue: z.string().optional(),
  })
  .superRefine((value, ctx) => {
    if (!value.header && !value.columns) {
      ctx.addIssue({ code: 'custom', path: ['columns'], message: 'is required when header is false' });
    }
    if (value.header && value.columns) {
      ctx.addIssue({ code: 'custom', path: ['columns'], message: 'is taken from the header row; omit it' });
    }
    if (value.disabledColumn && value.disabledValue === undefined) {
      ctx.addIssue({ code: 'custom', path: ['disabledValue'], message: 'is required with disabledColumn' });
    }
    if (value.quote !== '' && value.quote === value.delimiter) {
      ctx.addIssue({ code: 'custom', path: ['quote'], message: 'cannot be the delimiter' });
    }
  });

export type CsvConnection = z.output<typeof csvConnectionSchema>;
