import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { type Database, type DatabaseKind, openPostgres } from '../../server/db/client.ts';
import { openPgliteThen } from '../../server/db/open.ts';
import { copyPgliteTemplate } from './pglite-template.ts';
import { databaseUrl, withAdmin } from './postgres.ts';

export type TestDatabase = Database & { url?: string };

/**
 * A fresh, migrated database of the given kind; `close` also drops it. Both are copies of a
 * template migrated once per run (test/global-setup.ts): PGlite a copied data folder, PostgreSQL
 * a database created from the template.
 */
export async function createTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const root = mkdtempSync(path.join(tmpdir(), 'trueup-pglite-'));
    const remove = () => rmSync(root, { recursive: true, force: true });
    try {
      return await openPgliteThen(copyPgliteTemplate(path.join(root, 'pglite')), remove);
    } catch (error) {
      remove();
      throw error;
    }
  }
  const name = `trueup_t_${randomBytes(6).toString('hex')}`;
  await withAdmin((sql) => sql.unsafe(`create database ${name} template ${inject('templateDatabase')}`));
  const url = databaseUrl(name);
  const db = await openPostgres(url, { max: 4 });
  return {
    ...db,
    url,
    close: async () => {
      await db.close();
      await withAdmin((sql) => sql.unsafe(`drop database if exists ${name} with (force)`));
    },
  };
}

export const databaseKinds: DatabaseKind[] = ['pglite', 'postgres'];

/**
 * Runs a suite once per database: embedded PGlite and real PostgreSQL. Each run gets its own
 * fresh database, dropped afterwards. PostgreSQL runs are skipped only outside CI, and loudly
 * (see test/global-setup.ts).
 */
export function describeEachDatabase(
  name: string,
  suite: (db: () => TestDatabase, kind: DatabaseKind) => void,
) {
  for (const kind of databaseKinds) {
    const available = kind === 'pglite' || inject('postgres');
    describe.runIf(available)(`${name} [${kind}]`, () => {
      let db: TestDatabase | undefined;
      beforeAll(async () => {
        db = await createTestDatabase(kind);
      });
      afterAll(async () => {
        await db?.close();
      });
      suite(() => {
        if (!db) throw new Error('the test database is not open yet');
        return db;
      }, kind);
    });
  }
}
