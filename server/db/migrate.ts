import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import type { Database } from './client.ts';

export const migrationsFolder = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../migrations',
);

/** Any fixed number: every trueup instance takes the same advisory lock while it migrates. */
const MIGRATION_LOCK = 7_460_338_101;

async function appliedCount(db: Database): Promise<number> {
  const [table] = await db.rows<{ exists: boolean }>(
    sql`select to_regclass('drizzle.__drizzle_migrations') is not null as exists`,
  );
  if (!table?.exists) return 0;
  const [row] = await db.rows<{ count: number }>(
    sql`select count(*)::int as count from drizzle.__drizzle_migrations`,
  );
  return Number(row?.count ?? 0);
}

/**
 * Applies the drizzle-kit migrations that have not run yet; returns how many ran. On PostgreSQL
 * an advisory lock keeps instances that start together from migrating at the same time.
 */
export async function migrateDatabase(db: Database): Promise<{ applied: number }> {
  const before = await appliedCount(db);
  await db.withAdvisoryLock(MIGRATION_LOCK, async () => {
    if (db.kind === 'pglite') await migratePglite(db.orm as unknown as PgliteDatabase, { migrationsFolder });
    else await migratePostgres(db.orm as unknown as PostgresJsDatabase, { migrationsFolder });
  });
  return { applied: (await appliedCount(db)) - before };
}
