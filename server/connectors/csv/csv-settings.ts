import { z } from 'zod';

export const csvEncodings = ['utf8', 'utf16le', 'latin1'] as const;
export type CsvEncoding = (typeof csvEncodings)[number];

const columnName = z.string().refine((name) => name.trim() !== '', 'a column name cannot be empty');

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
    /**
     * The longest record read, in bytes of the file's encoding: a longer line (or a quoted field
     * that does not close within it) is a read problem, so one runaway line cannot fill memory.
     */
    maxRecordBytes: z
      .number()
      .int()
      .min(1024)
      .max(256 * 1024 * 1024)
      .default(1024 * 1024),
  })
  .superRefine((value, ctx) => {
    if (!value.header && !value.columns) {
      ctx.addIssue({ code: 'custom', path: ['columns'], message: 'is required when header is false' });
    }
    const twice = value.columns?.find((name, i) => value.columns?.indexOf(name) !== i);
    if (twice !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['columns'], message: `names column "${twice}" twice` });
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
