import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isProcessAlive } from '../process-alive.ts';
import { DatabaseUnavailableError } from './errors.ts';

/**
 * PGlite is one process's database: a second process opening the same folder would corrupt it.
 * A pid file guards DATA_DIR; a lock left by a dead process is taken over.
 */
export function acquireDataDirLock(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const lockFile = path.join(dataDir, 'pglite.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      return () => rmSync(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(lockFile, 'utf8'));
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isProcessAlive(holder)) {
        throw new DatabaseUnavailableError(
          `the embedded database in ${dataDir} is in use by process ${holder}; stop it, or use the HTTP API of that server`,
        );
      }
      rmSync(lockFile, { force: true });
    }
  }
  throw new DatabaseUnavailableError(`cannot lock the embedded database in ${dataDir}`);
}
