import path from 'node:path';
import type { Config } from '../config.ts';
import { type Database, openPglite, openPostgres } from './client.ts';
import { acquireDataDirLock } from './data-dir-lock.ts';

/** Where the embedded database lives inside DATA_DIR. */
export function pgliteDir(dataDir: string): string {
  return path.join(dataDir, 'pglite');
}

/** PostgreSQL when DATABASE_URL is set, otherwise embedded PGlite in DATA_DIR. */
export async function openConfiguredDatabase(
  config: Pick<Config, 'databaseUrl' | 'dataDir'>,
): Promise<Database> {
  if (config.databaseUrl) return openPostgres(config.databaseUrl);
  return openPgliteThen(pgliteDir(config.dataDir), await acquireDataDirLock(config.dataDir));
}

/**
 * PGlite in `dir`, and `release` once it is closed, or at once when it cannot open (a data
 * folder's lock, a scratch folder to remove).
 */
export async function openPgliteThen(dir: string, release: () => void): Promise<Database> {
  try {
    const db = await openPglite(dir);
    return {
      ...db,
      close: async () => {
        try {
          await db.close();
        } finally {
          release();
        }
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}
