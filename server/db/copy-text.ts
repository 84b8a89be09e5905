/**
 * PostgreSQL COPY text format (docs/design.md, "Scale"): one line per row, columns split by a
 * tab, `\N` for null. Backslash, tab, newline and carriage return inside a value are escaped;
 * objects and arrays go as JSON text (for json/jsonb columns), dates as ISO text.
 */

function escapeCopyText(text: string): string {
  return text.replace(/[\\\t\n\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
  );
}

function copyValue(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'string') return escapeCopyText(value);
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (value instanceof Date) return value.toISOString();
  return escapeCopyText(JSON.stringify(value));
}

/** One row as a COPY text line, newline included. */
export function copyTextLine(row: readonly unknown[]): string {
  let line = '';
  for (let i = 0; i < row.length; i++) line += (i === 0 ? '' : '\t') + copyValue(row[i]);
  return `${line}\n`;
}

/** A text[] literal (`{"a","b"}`) for a text[] column: a JS array would go as JSON. */
export function textArrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

/** The `copy "table" ("a", "b") from …` head, identifiers quoted. */
export function copyHead(table: string, columns: readonly string[], source: string): string {
  const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
  return `copy ${quote(table)} (${columns.map(quote).join(', ')}) from ${source}`;
}
