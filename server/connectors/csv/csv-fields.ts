/** The characters that shape a record: one delimiter, and one quote or '' for none. */
export type CsvDialect = { delimiter: string; quote: string };

/** Fields so far, and the value of the quoted field still open at the end of the text. */
export type OpenRecord = { fields: string[]; value: string };

/**
 * How far one line goes as (part of) a record: complete; still inside a quoted field at its end
 * (`open`, 1-based `column` of that field); or malformed (`bad`, with what is wrong).
 */
export type LineScan =
  | { kind: 'complete'; fields: string[] }
  | ({ kind: 'open'; column: number } & OpenRecord)
  | { kind: 'bad'; column: number; problem: string };

/**
 * Reads one line by RFC 4180, strictly: a field is either unquoted and holds no quote, or quoted
 * from its first character to a closing quote followed by the delimiter or the end of the line,
 * with inner quotes doubled. `open` continues a quoted field left open by the previous line (the
 * caller appends that line's break to its value). A line without a quote is split directly: the
 * common case costs one `split`.
 */
export function scanLine(text: string, { delimiter, quote }: CsvDialect, open?: OpenRecord): LineScan {
  if (quote === '' || (!open && !text.includes(quote)))
    return { kind: 'complete', fields: text.split(delimiter) };
  const fields = open ? [...open.fields] : [];
  let value = open ? open.value : '';
  let quoted = open !== undefined;
  let at = 0;
  for (;;) {
    if (!quoted) {
      if (text.startsWith(quote, at)) {
        quoted = true;
        value = '';
        at += quote.length;
        continue;
      }
      const next = text.indexOf(delimiter, at);
      const cell = next < 0 ? text.slice(at) : text.slice(at, next);
      if (cell.includes(quote)) {
        return {
          kind: 'bad',
          column: fields.length + 1,
          problem: `has a quote inside the unquoted field in column ${fields.length + 1}`,
        };
      }
      fields.push(cell);
      if (next < 0) return { kind: 'complete', fields };
      at = next + delimiter.length;
      continue;
    }
    const close = text.indexOf(quote, at);
    if (close < 0) return { kind: 'open', column: fields.length + 1, fields, value: value + text.slice(at) };
    value += text.slice(at, close);
    if (text.startsWith(quote, close + quote.length)) {
      value += quote;
      at = close + 2 * quote.length;
      continue;
    }
    fields.push(value);
    quoted = false;
    at = close + quote.length;
    if (at === text.length) return { kind: 'complete', fields };
    if (!text.startsWith(delimiter, at)) {
      const column = fields.length;
      return {
        kind: 'bad',
        column,
        problem: `has a quoted field in column ${column} whose closing quote is followed by "${text[at]}", not the delimiter`,
      };
    }
    at += delimiter.length;
  }
}
