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
    path: z
      .string()
      .min(1, 'the path of the file is required')
      .describe('The file on the server (an upload lands here too)'),
    delimiter: z
      .string()
      .length(1, 'the delimiter must be one character')
      .default(',')
      .describe('One character between cells'),
    header: z.boolean().default(true).describe('The first line names the columns'),
    columns: z
      .array(columnName)
      .min(1)
      .optional()
      .describe('The column names in order, when header is false'),
    quote: z
      .string()
      .max(1, 'the quote must be one character, or empty for none')
      .default('"')
      .describe('One character; empty turns quoting off'),
    encoding: z.enum(csvEncodings).default('utf8').describe('Bytes not valid in it are read problems'),
    watermarkColumn: columnName
      .optional()
      .describe('A change time column for incremental runs (ISO strings)'),
    disabledColumn: columnName.optional().describe('The column a disable writes disabledValue to'),
    disabledValue: z.string().optional().describe('The value of disabledColumn that means disabled'),
    maxRecordBytes: z
      .number()
      .int()
      .min(1024)
      .max(256 * 1024 * 1024)
      .default(1024 * 1024)
      .describe('The longest record, in bytes: a longer line or unclosed quoted cell is a read problem'),
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
