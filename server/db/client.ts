import { PGlite } from '@electric-sql/pglite';
import type { SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { DatabaseUnavailableError } from './errors.ts';
import * as schema from './schema/index.ts';

export type Schema = typeof schema;
export type Orm = PgDatabase<PgQueryResultHKT, Schema>;
export type DatabaseKind = 'pglite' | 'postgres';

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
    close: () => client.end({ timeout: 5 }),
  };
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
    close: () => client.close(),
  };
}
