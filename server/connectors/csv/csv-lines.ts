import type { CsvEncoding } from './csv-settings.ts';

/**
 * One physical line of the file: its text without the line break, the break that ended it
 * ('\n', '\r\n', or '' for a last line without one) and its 1-based number. A line longer than
 * maxRecordBytes is kept only as `tooLong` (its text is dropped while it streams past).
 */
export type Line = { text: string; end: string; number: number; tooLong: boolean };

/** Whether `text` takes more than `max` bytes in the encoding; exact, and cheap for short text. */
export function exceedsBytes(text: string, max: number, encoding: CsvEncoding): boolean {
  if (encoding === 'latin1') return text.length > max;
  if (encoding === 'utf16le') return text.length * 2 > max;
  // A UTF-16 code unit takes 1 to 3 bytes in UTF-8: count only when the bounds disagree.
  if (text.length > max) return true;
  if (text.length * 3 <= max) return false;
  return Buffer.byteLength(text, 'utf8') > max;
}

export function bytesOf(text: string, encoding: CsvEncoding): number {
  return Buffer.byteLength(text, encoding);
}

/** Cuts decoded chunks into lines; memory stays within maxRecordBytes plus one chunk. */
export class LineSplitter {
  private carry = '';
  private number = 1;
  /** Inside a line already known to be too long: its text is dropped until its line break. */
  private skipping = false;

  private readonly maxBytes: number;
  private readonly encoding: CsvEncoding;

  constructor(maxBytes: number, encoding: CsvEncoding) {
    this.maxBytes = maxBytes;
    this.encoding = encoding;
  }

  push(chunk: string): Line[] {
    const lines: Line[] = [];
    let text = chunk;
    if (this.skipping) {
      const at = text.indexOf('\n');
      if (at < 0) return lines;
      lines.push(this.line('', at > 0 && text[at - 1] === '\r' ? '\r\n' : '\n', true));
      this.skipping = false;
      text = text.slice(at + 1);
    } else {
      text = this.carry + text;
    }
    let start = 0;
    for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', start)) {
      const crlf = at > start && text.charCodeAt(at - 1) === 13;
      const body = text.slice(start, crlf ? at - 1 : at);
      lines.push(this.line(body, crlf ? '\r\n' : '\n'));
      start = at + 1;
    }
    this.carry = text.slice(start);
    // The carry's length in code units is a lower bound of its size in bytes.
    if (this.carry.length > this.maxBytes) {
      this.carry = '';
      this.skipping = true;
    }
    return lines;
  }

  /** The last line, when the file does not end with a line break. */
  end(): Line[] {
    if (this.skipping) return [this.line('', '', true)];
    if (this.carry === '') return [];
    const last = this.line(this.carry, '');
    this.carry = '';
    return [last];
  }

  private line(text: string, end: string, tooLong = false): Line {
    const long = tooLong || exceedsBytes(text, this.maxBytes, this.encoding);
    return { text: long ? '' : text, end, number: this.number++, tooLong: long };
  }
}
