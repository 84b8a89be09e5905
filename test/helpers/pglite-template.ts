import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { openPglite } from '../../server/db/client.ts';
import { migrateDatabase } from '../../server/db/migrate.ts';
import { pgliteDir } from '../../server/db/open.ts';
import { tempDataDir } from './server.ts';

/**
 * A migrated PGlite data folder, made once per test run by test/global-setup.ts. Copying it (tens
 * of milliseconds) replaces initdb in WebAssembly plus every migration (seconds) for each test
 * database and each CLI data folder.
 */
export async function createPgliteTemplate(): Promise<{ dir: string; remove(): void }> {
  const root = mkdtempSync(path.join(tmpdir(), 'trueup-pglite-template-'));
  const dir = path.join(root, 'pglite');
  const db = await openPglite(dir);
  try {
    await migrateDatabase(db);
  } finally {
    await db.close();
  }
  return { dir, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** Copies the migrated template to `target` (a PGlite data folder that must not exist yet). */
export function copyPgliteTemplate(target: string): string {
  cpSync(inject('pgliteTemplate'), target, { recursive: true, errorOnExist: true, force: false });
  return target;
}

/** A fresh DATA_DIR whose embedded database is already migrated, as `trueup` would leave it. */
export function migratedDataDir(): string {
  const dataDir = tempDataDir();
  copyPgliteTemplate(pgliteDir(dataDir));
  return dataDir;
}
