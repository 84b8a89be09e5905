import { type CsvError, parse } from 'csv-parse/sync';
import { describeCsvError, lineOf } from './read-csv.ts';

/**
 * One record of a file exactly as written: its text without the record delimiter, the delimiter
 * that ended it ('' for a last record without one), the line it starts on, and whether it holds a
 * quote character (only then can a field hold a delimiter or a line break).
 */
export type RawRecord = { text: string; end: string; line: number; quoted: boolean };

/**
 * Splits decoded text into records without parsing their fields. A record delimiter inside a
 * quoted field does not end a record; a doubled quote toggles twice, so the parity of the quote
 * characters seen says whether a delimiter is inside quotes. That is exact for a well-formed
 * file; a record a malformed one splits wrongly holds a quote, and the caller parses every such
 * record with csv-parse, which rejects it. Yields the records of each chunk as one array.
 */
export async function* scanRecords(
  chunks: AsyncIterable<string>,
  recordDelimiter: string,
  quote: string,
): AsyncGenerator<RawRecord[]> {
  let carry = '';
  let scanned = 0;
  let quotes = 0;
  let line = 1;
  for await (const chunk of chunks) {
    const text = carry + chunk;
    const records: RawRecord[] = [];
    let start = 0;
    let from = scanned;
    // The next quote character not yet counted: found once, not searched for again per record.
    let nextQuote = quote === '' ? -1 : text.indexOf(quote, from);
    for (let at = text.indexOf(recordDelimiter, from); at >= 0; at = text.indexOf(recordDelimiter, from)) {
      for (; nextQuote >= 0 && nextQuote < at; nextQuote = text.indexOf(quote, nextQuote + 1)) quotes++;
      from = at + recordDelimiter.length;
      if (quotes % 2 === 1) continue;
      const record = text.slice(start, at);
      const quoted = quotes > 0;
      records.push({ text: record, end: recordDelimiter, line, quoted });
      line += 1 + (quoted ? record.split('\n').length - 1 : 0);
      start = from;
      quotes = 0;
    }
    carry = text.slice(start);
    scanned = from - start;
    if (records.length > 0) yield records;
  }
  if (carry !== '') yield [{ text: carry, end: '', line, quoted: quote !== '' && carry.includes(quote) }];
}

/** A file the rewrite refuses: rewriting it would drop or garble what it cannot read. */
export class MalformedCsv extends Error {}

const malformedLine = (line: number, reason: string) =>
  new MalformedCsv(`line ${line} is malformed (${reason}); fix it before writing`);

/**
 * The cells of one record, which must have exactly `count` of them (null: the header, any number). A record without a quote
 * character is its text split at the delimiter; any other goes through csv-parse with the
 * reader's options, so the cells, and what counts as malformed, are the reader's.
 */
export function fieldsOf(
  record: RawRecord,
  format: { delimiter: string; quote: string; recordDelimiter: string },
  count: number | null,
): string[] {
  let fields: string[];
  if (!record.quoted) fields = record.text.split(format.delimiter);
  else {
    let parsed: string[][];
    try {
      parsed = parse(record.text, {
        delimiter: format.delimiter,
        quote: format.quote,
        record_delimiter: format.recordDelimiter,
      });
    } catch (error) {
      const csvError = error as CsvError;
      throw malformedLine(
        record.line + Math.max(lineOf(csvError), 1) - 1,
        describeCsvError(csvError, count ?? 0),
      );
    }
    if (parsed.length !== 1) throw malformedLine(record.line, 'its quotes do not close where a field ends');
    fields = parsed[0] as string[];
  }
  if (count !== null && fields.length !== count) {
    throw malformedLine(record.line, `has ${fields.length} fields; the file has ${count} columns`);
  }
  return fields;
}
