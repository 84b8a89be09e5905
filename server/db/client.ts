import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { PGlite } from '@electric-sql/pglite';
import type { SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { copyHead, copyTextLine } from './copy-text.ts';
import { DatabaseUnavailableError } from './errors.ts';
import * as schema from './schema/index.ts';

export type Schema = typeof schema;
export type Orm = PgDatabase<PgQueryResultHKT, Schema>;
export type DatabaseKind = 'pglite' | 'postgres';
export type CopyRows = AsyncIterable<readonly unknown[]> | Iterable<readonly unknown[]>;

/**
 * The storage handle every part of trueup receives. `orm` is drizzle for ordinary queries;
 * `rows` runs raw SQL (bulk paths) and returns plain rows on either driver.
 */
export type Database = {
  kind: DatabaseKind;
  orm: Orm;
  rows<T = Record<string, unknown>>(query: SQL): Promise<T[]>;
  /** Runs `fn` holding a PostgreSQL session advisory lock (PGlite has one process: no lock needed). */
  withAdvisoryLock<T>(key: number, fn: () => Promise<T>): Promise<T>;
  /**
   * Bulk-loads `rows` into `columns` of `table` with COPY (text format, see copy-text.ts) and
   * returns how many rows went in. Each call costs a fixed round of the protocol (tens of ms on
   * PostgreSQL): pass many rows at once, or one iterable that streams a whole read.
   */
  copyIn(table: string, columns: readonly string[], rows: CopyRows): Promise<number>;
  close(): Promise<void>;
};

function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

function describeConnectError(url: string, error: unknown): string {
  const where = (() => {
    try {
      const parsed = new URL(url);
      return `${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`;
    } catch {
      return 'DATABASE_URL';
    }
  })();
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  return `cannot reach PostgreSQL at ${where}: ${code && !message.includes(code) ? `${code} ` : ''}${message}`;
}

export async function openPostgres(url: string, options: { max?: number } = {}): Promise<Database> {
  const client = postgres(url, {
    // At least two: withAdvisoryLock reserves one connection while the work runs on another.
    max: Math.max(2, options.max ?? 10),
    connect_timeout: 10,
    onnotice: () => {},
    connection: { application_name: 'trueup' },
  });
  try {
    await client`select 1`;
  } catch (error) {
    await client.end({ timeout: 1 }).catch(() => {});
    throw new DatabaseUnavailableError(describeConnectError(url, error));
  }
  const orm = drizzlePostgres(client, { schema }) as unknown as Orm;
  return {
    kind: 'postgres',
    orm,
    rows: async (query) => rowsOf(await orm.execute(query)),
    withAdvisoryLock: async (key, fn) => {
      const reserved = await client.reserve();
      try {
        await reserved`select pg_advisory_lock(${key})`;
        try {
          return await fn();
        } finally {
          await reserved`select pg_advisory_unlock(${key})`;
        }
      } finally {
        reserved.release();
      }
    },
    copyIn: (table, columns, rows) => copyInPostgres(client, copyHead(table, columns, 'stdin'), rows),
    close: () => client.end({ timeout: 5 }),
  };
}

/** COPY text is sent in pieces of about this many characters. */
const copyPiece = 1 << 16;

async function copyInPostgres(client: postgres.Sql, head: string, rows: CopyRows): Promise<number> {
  const query = client.unsafe(head);
  // postgres.js reports an error that the server sends after the last row (a bad value, a
  // constraint) only to the query's reject, which it calls after the stream has resolved it:
  // listen there too, or the copy would wait for ever.
  const failed = new Promise<never>((_, reject) => {
    const pending = query as unknown as { reject: (error: unknown) => void };
    const reject0 = pending.reject;
    pending.reject = (error) => {
      reject(error);
      reject0(error);
    };
  });
  failed.catch(() => {});
  const stream = (await Promise.race([query.writable(), failed])) as Writable;
  let count = 0;
  try {
    let piece = '';
    for await (const row of rows) {
      piece += copyTextLine(row);
      count++;
      if (piece.length >= copyPiece) {
        const more = stream.write(piece);
        piece = '';
        if (!more) await Promise.race([once(stream, 'drain'), failed]);
      }
    }
    if (piece) stream.write(piece);
    stream.end();
  } catch (error) {
    stream.destroy(error instanceof Error ? error : new Error(String(error)));
    await Promise.race([finished(stream), failed]).catch(() => {});
    throw error;
  }
  await Promise.race([finished(stream), failed]);
  return count;
}

/** PGlite loads a COPY from an in-memory blob: pieces of about this many characters each. */
const pgliteCopyPiece = 16 << 20;

async function copyInPglite(client: PGlite, head: string, rows: CopyRows): Promise<number> {
  let count = 0;
  let lines: string[] = [];
  let size = 0;
  const flush = async () => {
    if (lines.length === 0) return;
    await client.query(head, [], { blob: new Blob(lines) });
    lines = [];
    size = 0;
  };
  for await (const row of rows) {
    const line = copyTextLine(row);
    lines.push(line);
    size += line.length;
    count++;
    if (size >= pgliteCopyPiece) await flush();
  }
  await flush();
  return count;
}

/** Embedded PostgreSQL in `dataDir` (or in memory when `dataDir` is undefined). */
export async function openPglite(dataDir: string | undefined): Promise<Database> {
  let client: PGlite;
  try {
    client = await PGlite.create(dataDir);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new DatabaseUnavailableError(`cannot open the embedded database in ${dataDir}: ${message}`);
  }
  const orm = drizzlePglite(client, { schema }) as unknown as Orm;
  return {
    kind: 'pglite',
    orm,
    rows: async (query) => rowsOf(await orm.execute(query)),
    withAdvisoryLock: (_key, fn) => fn(),
    copyIn: (table, columns, rows) => copyInPglite(client, copyHead(table, columns, "'/dev/blob'"), rows),
    close: () => client.close(),
  };
}
