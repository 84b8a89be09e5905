import { createReadStream } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import iconv from 'iconv-lite';
import type { CsvConnection } from './csv-settings.ts';

/** A system's file that cannot be opened or read, told as one sentence with what to do about it. */
export class UnreadableCsvFile extends Error {
  override name = 'UnreadableCsvFile';
}

const fixPath = "fix the path in the system's connection";

/** The sentence for a file system error on the system's file; never a bare `ENOENT: …`. */
export function unreadableFile(path: string, error: unknown): UnreadableCsvFile {
  const code = (error as NodeJS.ErrnoException)?.code;
  const upload = 'upload it (POST /api/systems/:id/file)';
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new UnreadableCsvFile(`the file ${path} does not exist: ${upload} or ${fixPath}`);
    case 'EISDIR':
      return new UnreadableCsvFile(`${path} is a directory, not a file: ${fixPath}`);
    case 'EACCES':
    case 'EPERM':
      return new UnreadableCsvFile(
        `the file ${path} cannot be read (permission denied): let the user trueup runs as read it, or ${upload}`,
      );
    default: {
      const reason = (error as Error)?.message ?? String(error);
      return new UnreadableCsvFile(
        `the file ${path} cannot be read (${reason}): check the file, or ${fixPath}`,
      );
    }
  }
}

/**
 * The file's text, decoded chunk by chunk: iconv-lite strips a BOM, and turns bytes that are not
 * valid in the encoding into U+FFFD (the reader reports the lines holding one). Memory stays flat.
 */
export async function* decodedChunks(connection: CsvConnection): AsyncGenerator<string> {
  const decoder = iconv.getDecoder(connection.encoding);
  let size = 0;
  try {
    for await (const bytes of createReadStream(connection.path)) {
      size += (bytes as Buffer).length;
      const text = decoder.write(bytes as Buffer);
      if (text !== '') yield text;
    }
  } catch (error) {
    throw unreadableFile(connection.path, error);
  }
  const rest = decoder.end();
  if (rest) yield rest;
  // The decoder drops a last UTF-16 byte without its pair: a file cut short must not read as whole.
  if (connection.encoding === 'utf16le' && size % 2 === 1) yield '\uFFFD';
}

/** A file whose content cannot be read as the system's CSV (an empty file, a bad header). */
export class MalformedCsv extends Error {
  override name = 'MalformedCsv';
}

/** What a rewrite must keep: the byte-order mark and the line ending the file already uses. */
export type CsvFileFormat = { bom: boolean; recordDelimiter: '\n' | '\r\n' };

const boms = { utf8: [0xef, 0xbb, 0xbf], utf16le: [0xff, 0xfe], latin1: [] as number[] } as const;

/** Reads only the first 64 KiB: enough to see the BOM and the first line ending. */
export async function sniffCsvFormat(connection: CsvConnection): Promise<CsvFileFormat> {
  let handle: FileHandle;
  try {
    handle = await open(connection.path, 'r');
  } catch (error) {
    throw unreadableFile(connection.path, error);
  }
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(65_536), 0, 65_536, 0);
    const head = buffer.subarray(0, bytesRead);
    const mark = boms[connection.encoding];
    const bom = mark.length > 0 && mark.every((byte, i) => head[i] === byte);
    const text = iconv.decode(head, connection.encoding);
    const firstNewline = text.indexOf('\n');
    const recordDelimiter = firstNewline > 0 && text[firstNewline - 1] === '\r' ? '\r\n' : '\n';
    return { bom, recordDelimiter };
  } catch (error) {
    throw unreadableFile(connection.path, error);
  } finally {
    await handle.close();
  }
}
