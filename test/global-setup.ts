import { openPostgres } from '../server/db/client.ts';
import { migrateDatabase } from '../server/db/migrate.ts';
import { createPgliteTemplate } from './helpers/pglite-template.ts';
import { databaseUrl, testDatabaseUrl, withAdmin } from './helpers/postgres.ts';
import { createSambaRunDir } from './helpers/samba-run.ts';

type Provide = <K extends keyof ProvidedValues>(key: K, value: ProvidedValues[K]) => void;
type ProvidedValues = {
  postgres: boolean;
  templateDatabase: string;
  pgliteTemplate: string;
  sambaRunDir: string;
};

export default async function setup({ provide }: { provide: Provide }) {
  // The Samba AD DC starts only when an AD test asks for it (test/helpers/samba-run.ts).
  const samba = await createSambaRunDir();
  provide('sambaRunDir', samba.runDir);
  // Both templates at once: PGlite's initdb is CPU, PostgreSQL's migration is mostly waiting.
  const [pglite, stopPostgres] = await Promise.all([createPgliteTemplate(), setupPostgres(provide)]);
  provide('pgliteTemplate', pglite.dir);
  return async () => {
    await samba.teardown();
    await stopPostgres?.();
    pglite.remove();
  };
}

/**
 * Probes PostgreSQL once and migrates a template database each test database is cloned from.
 * An unreachable server is loud; under CI=true it fails the run instead of skipping tests.
 */
async function setupPostgres(provide: Provide) {
  // One template per test run, so runs in parallel (several developers, CI) never collide.
  const templateDatabase = `trueup_test_template_${process.pid}`;
  provide('templateDatabase', templateDatabase);
  try {
    await withAdmin(async (sql) => {
      await sql.unsafe(`drop database if exists ${templateDatabase} with (force)`);
      await sql.unsafe(`create database ${templateDatabase}`);
    });
    const db = await openPostgres(databaseUrl(templateDatabase), { max: 1 });
    await migrateDatabase(db);
    await db.close();
    provide('postgres', true);
    return async () => {
      await withAdmin((sql) => sql.unsafe(`drop database if exists ${templateDatabase} with (force)`));
    };
  } catch (error) {
    const cause = (error as Error).cause;
    const message = `PostgreSQL at ${testDatabaseUrl} is unreachable: ${(error as Error).message}${cause instanceof Error ? ` (${cause.message})` : ''}`;
    if (process.env.CI === 'true') throw new Error(`${message}. Under CI=true this fails the run.`);
    const bar = '!'.repeat(100);
    process.stderr.write(
      `\n${bar}\n!! ${message}\n!! PostgreSQL tests are SKIPPED. Set TEST_DATABASE_URL or start PostgreSQL.\n${bar}\n\n`,
    );
    provide('postgres', false);
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: boolean;
    templateDatabase: string;
    /** A migrated PGlite data folder to copy (test/helpers/pglite-template.ts). */
    pgliteTemplate: string;
    sambaRunDir: string;
  }
}
