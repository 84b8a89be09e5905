import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { type Database, type DatabaseKind, openPglite } from '../../server/db/client.ts';
import { migrateDatabase } from '../../server/db/migrate.ts';
import { createCsvSystem } from '../runs/recon-fixture.ts';
import { createTestDatabase } from './databases.ts';
import { repoRoot, tempDataDir } from './server.ts';

/** The CSV of the crash tests: `accounts` accounts E0…, each with a name the IDM does not have yet. */
export function crashCsv(accounts: number): string {
  const lines = ['employeeId,name,email'];
  for (let i = 0; i < accounts; i++) lines.push(`E${i},New ${i},e${i}@x`);
  return `${lines.join('\n')}\n`;
}

/**
 * A workspace the CLI opens: a database (PostgreSQL, or PGlite in a data folder) with one CSV
 * config. Half the accounts have an IDM user with drift in the name, the other half are orphans,
 * and a tenth as many IDM users as accounts have no account.
 */
export async function crashWorkspace(kind: DatabaseKind, options: { accounts: number; name: string }) {
  const { accounts } = options;
  const dataDir = tempDataDir();
  const secret = randomBytes(32).toString('hex');
  let db: Database;
  let env: Record<string, string>;
  let dispose = async () => {};
  if (kind === 'postgres') {
    const test = await createTestDatabase('postgres');
    db = test;
    env = { DATABASE_URL: test.url as string, DATA_DIR: dataDir, SECRET_KEY: secret, LOG_LEVEL: 'warn' };
    dispose = () => test.close();
  } else {
    db = await openPglite(path.join(dataDir, 'pglite'));
    await migrateDatabase(db);
    env = { DATA_DIR: dataDir, SECRET_KEY: secret, LOG_LEVEL: 'warn' };
  }
  const users = Array.from({ length: accounts / 2 + accounts / 10 }, (_, i) => {
    const employeeId = i < accounts / 2 ? `E${i}` : `I${i}`;
    return { employeeId, name: `Old ${i}`, email: `${employeeId.toLowerCase()}@x` };
  });
  await db.rows(sql`insert into idm_objects (type, name, employee_id, email, attributes)
    select 'User', x.name, x."employeeId", x.email, to_jsonb(x) from jsonb_to_recordset(${JSON.stringify(users)}::jsonb)
    as x("employeeId" text, name text, email text)`);
  const system = await createCsvSystem(db, crashCsv(accounts), {
    name: options.name,
    situations: {
      IDM_EXISTS__RESOURCE_EXISTS: 'UPDATE_IDM_FROM_RESOURCE',
      IDM_NOT_EXISTS__RESOURCE_EXISTS: 'ADD_TO_IDM',
      IDM_EXISTS__RESOURCE_NOT_EXISTS: 'ADD_TO_RESOURCE',
    },
  });
  if (kind === 'pglite') await db.close();
  const open = async () => (kind === 'pglite' ? openPglite(path.join(dataDir, 'pglite')) : db);
  const close = async (handle: Database) => (kind === 'pglite' ? handle.close() : undefined);
  return { env, system, open, close, dispose };
}

export type CrashWorkspace = Awaited<ReturnType<typeof crashWorkspace>>;

/**
 * Runs `trueup <args>` on the workspace without the launcher and kills it with SIGKILL (no
 * chance to clean up) once its output shows `marker`. Resolves with the signal it ended by.
 */
export function killOnOutput(
  ws: CrashWorkspace,
  args: string[],
  marker: string,
): Promise<NodeJS.Signals | null> {
  const child = spawn(
    path.join(repoRoot, 'node_modules/.bin/node'),
    ['--no-node-snapshot', '--disable-warning=ExperimentalWarning', 'server/cli/entry.ts', ...args],
    { cwd: repoRoot, env: { ...process.env, ...ws.env, DATABASE_URL: ws.env.DATABASE_URL ?? '' } },
  );
  let output = '';
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_, signal) => resolve(signal)),
  );
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk;
    if (output.includes(marker)) child.kill('SIGKILL');
  });
  return exited;
}
