import { type CsvDialect, type LineScan, type OpenRecord, scanLine } from './csv-fields.ts';
import { bytesOf, type Line } from './csv-lines.ts';
import { type CsvEncoding, csvEncodings } from './csv-settings.ts';

/**
 * One item of the file, in order: a record with the line it starts on, its cells and its text as
 * written (a rewrite copies it back); an empty line (no record; a rewrite keeps it); or a problem,
 * a line that is no record, told as a phrase that follows "line N".
 */
export type RecordItem =
  | { kind: 'record'; line: number; fields: string[]; text: string; end: string }
  | { kind: 'blank'; line: number; end: string }
  | { kind: 'problem'; line: number; message: string };

type ScannedLine = Line & { alone?: LineScan };
type Followed = { fields: string[]; last: number } | { problem: string };

/**
 * Splits lines into records by one rule, which reading and rewriting share.
 *
 * A line is first read on its own (strict RFC 4180, `scanLine`). If it is a complete record, it
 * is one, and a record whose cell count is not the header's is a problem. If it is malformed (a
 * quote inside an unquoted field, a closing quote not followed by the delimiter), it is a problem.
 * Either way reading goes on at the next line.
 *
 * If it ends inside a quoted field, the record may legitimately span lines (a cell holding a line
 * break). It is taken as spanning lines L..M only if all of these hold; otherwise line L is the
 * problem (most likely a stray quote) and reading restarts at line L+1, so no line is swallowed:
 *   1. read together, the lines parse cleanly and close on M with exactly the header's cell count;
 *   2. no line between L and M (exclusive of L, non-empty) is on its own a complete record with the
 *      header's cell count: such a line is taken as a record, never as part of a cell;
 *   3. line M does not itself open a quoted field that forms, by rules 1 and 2, a record M..P with
 *      the lines after it. When it does, both readings parse and one quote is stray: it is taken
 *      to be L's, unless line P bears the mark of a stray quote (without one of its quotes it would
 *      be a complete record, which the last line of a record spanning lines is not unless the cell
 *      with the line break is the first one); then L..M is taken, and P is read on its own;
 *   4. L..M fit within maxRecordBytes, and the file does not end before M.
 * Lines L+1..M-1 lie wholly inside the quoted cell, so they hold only doubled quotes and can never
 * open a quoted field of their own; M holds an odd count, so it is never complete on its own.
 * The price of rule 2: a quoted cell that holds a line looking like a whole record (or, in a
 * one-column file, any line) is reported, not read. A reported line stops a run; a swallowed one
 * would read as an account gone missing.
 *
 * A record holding U+FFFD (bytes the decoder could not read in the file's encoding) is a problem too.
 */
export class RecordSplitter {
  /** The lines of a record not yet decided: it needs lines from the next chunk. */
  private pending: ScannedLine[] = [];

  private readonly dialect: CsvDialect;
  private readonly maxBytes: number;
  private readonly encoding: CsvEncoding;
  /** Null until the header is read: the first record is the header and sets it. */
  private columnCount: number | null;

  constructor(dialect: CsvDialect, maxBytes: number, encoding: CsvEncoding, columnCount: number | null) {
    this.dialect = dialect;
    this.maxBytes = maxBytes;
    this.encoding = encoding;
    this.columnCount = columnCount;
  }

  /** The items these lines complete; `final` once the file has ended. */
  push(lines: Line[], final: boolean): RecordItem[] {
    const all: ScannedLine[] = this.pending.length > 0 ? this.pending.concat(lines) : lines;
    const items: RecordItem[] = [];
    let at = 0;
    while (at < all.length) {
      const next = this.take(all, at, final, items);
      if (next === undefined) break;
      at = next;
    }
    this.pending = all.slice(at);
    return items;
  }

  /** Decides the item starting at line `at`; the index of the next line, or undefined to wait. */
  private take(lines: ScannedLine[], at: number, final: boolean, items: RecordItem[]): number | undefined {
    const line = lines[at] as ScannedLine;
    const problem = (message: string) => items.push({ kind: 'problem', line: line.number, message });
    if (line.tooLong) {
      problem(`is longer than maxRecordBytes (${this.maxBytes} bytes)`);
      return at + 1;
    }
    if (line.text === '') {
      items.push({ kind: 'blank', line: line.number, end: line.end });
      return at + 1;
    }
    const alone = this.alone(line);
    if (alone.kind === 'bad') problem(alone.problem);
    if (alone.kind === 'complete') this.accept(alone.fields, line.number, line.text, line.end, items);
    if (alone.kind !== 'open') return at + 1;

    const spanned = this.follow(lines, at, final);
    if (spanned === undefined) return undefined;
    if ('problem' in spanned) {
      problem(spanned.problem);
      return at + 1;
    }
    const last = lines[spanned.last] as ScannedLine;
    if (this.alone(last).kind === 'open') {
      const rival = this.follow(lines, spanned.last, final);
      if (rival === undefined) return undefined;
      // Both readings parse: the stray quote is on L, unless P bears a stray quote's mark.
      if (!('problem' in rival) && !this.mendable(lines[rival.last] as Line)) {
        problem(
          `opens a quoted field in column ${alone.column} that would close on line ${last.number}, ` +
            'where a record of its own starts',
        );
        return at + 1;
      }
    }
    let text = '';
    for (let i = at; i < spanned.last; i++) text += (lines[i] as Line).text + (lines[i] as Line).end;
    this.accept(spanned.fields, line.number, text + last.text, last.end, items);
    return spanned.last + 1;
  }

  /** Rules 1, 2 and 4 for a record opening a quoted field on line `at`; undefined: needs more lines. */
  private follow(lines: ScannedLine[], at: number, final: boolean): Followed | undefined {
    const first = lines[at] as ScannedLine;
    const opened = this.alone(first) as OpenRecord & { column: number };
    const fails = (reason: string) => ({
      problem: `opens a quoted field in column ${opened.column} that ${reason}`,
    });
    let state: OpenRecord = { fields: opened.fields, value: opened.value + first.end };
    let bytes = bytesOf(first.text + first.end, this.encoding);
    for (let next = at + 1; ; next++) {
      const line = lines[next];
      if (!line)
        return final ? fails('does not close before the file ends (is the file cut short?)') : undefined;
      bytes += bytesOf(line.text + line.end, this.encoding);
      if (line.tooLong || bytes > this.maxBytes) {
        return fails(`does not close within maxRecordBytes (${this.maxBytes} bytes)`);
      }
      if (this.columnCount !== null && line.text !== '') {
        const alone = this.alone(line);
        if (alone.kind === 'complete' && alone.fields.length === this.columnCount) {
          return fails(`does not close before line ${line.number}, a record of its own`);
        }
      }
      const scan = scanLine(line.text, this.dialect, state);
      if (scan.kind === 'open') {
        state = { fields: scan.fields, value: scan.value + line.end };
        continue;
      }
      if (scan.kind === 'bad')
        return fails(`does not close where a field ends: line ${line.number} ${scan.problem}`);
      if (this.columnCount !== null && scan.fields.length !== this.columnCount) {
        return fails(
          `closes on line ${line.number} with ${fieldCount(scan.fields)}; the file has ${this.columnCount} columns`,
        );
      }
      return { fields: scan.fields, last: next };
    }
  }

  /** Whether the line, without one of its quotes, is a complete record: the mark of a stray quote. */
  private mendable(line: Line): boolean {
    const { quote } = this.dialect;
    for (let at = line.text.indexOf(quote); at >= 0; at = line.text.indexOf(quote, at + 1)) {
      const scan = scanLine(line.text.slice(0, at) + line.text.slice(at + quote.length), this.dialect);
      if (scan.kind === 'complete' && scan.fields.length === this.columnCount) return true;
    }
    return false;
  }

  private alone(line: ScannedLine): LineScan {
    line.alone ??= scanLine(line.text, this.dialect);
    return line.alone;
  }

  private accept(fields: string[], line: number, text: string, end: string, items: RecordItem[]) {
    if (text.includes('\uFFFD')) {
      items.push({
        kind: 'problem',
        line,
        message: `has bytes that are not valid ${this.encoding}: is the file in another encoding? Set the connection's encoding (${csvEncodings.join(', ')})`,
      });
      return;
    }
    if (this.columnCount === null) this.columnCount = fields.length;
    else if (fields.length !== this.columnCount) {
      items.push({
        kind: 'problem',
        line,
        message: `has ${fieldCount(fields)}; the file has ${this.columnCount} columns`,
      });
      return;
    }
    items.push({ kind: 'record', line, fields, text, end });
  }
}

const fieldCount = (fields: string[]) => (fields.length === 1 ? '1 field' : `${fields.length} fields`);
