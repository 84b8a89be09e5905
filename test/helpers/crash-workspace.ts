import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { type Database, type DatabaseKind, openPglite } from '../../server/db/client.ts';
import { pgliteDir } from '../../server/db/open.ts';
import { savePolicy } from '../../server/sandbox/store.ts';
import { createCsvSystem } from '../runs/recon-fixture.ts';
import { createTestDatabase } from './databases.ts';
import { copyPgliteTemplate } from './pglite-template.ts';
import { repoRoot, tempDataDir } from './server.ts';

/** The CSV of the crash tests: `accounts` accounts E0…, each with a name the IDM does not have yet. */
export function crashCsv(accounts: number): string {
  const lines = ['employeeId,name,email'];
  for (let i = 0; i < accounts; i++) lines.push(`E${i},New ${i},e${i}@x`);
  return `${lines.join('\n')}\n`;
}

/**
 * A population policy that works a while on each account (a loop, the same work under any load),
 * so that a run of a few thousand accounts stays in its planning phase for seconds: long enough
 * for a test to see the phase and kill the run inside it.
 */
const slowPopulation = `import { definePopulation } from 'trueup:policy';
export default definePopulation(({ account }) => {
  let spin = 0;
  for (let i = 0; i < 100_000; i++) spin = (spin + i) % 7;
  const name = account.attributes.name;
  return { employeeId: account.key, name: typeof name === 'string' && spin >= 0 ? name : null };
});`;
const slowPopulationPath = 'crash/slow-population.ts';

/**
 * A workspace the CLI opens: a database (PostgreSQL, or PGlite in a data folder) with one CSV
 * config. Half the accounts have an IDM user with drift in the name, the other half are orphans,
 * and a tenth as many IDM users as accounts have no account. With `slowPlanning`, the accounts go
 * through `slowPopulation` when they are added to or update the IDM.
 */
export async function crashWorkspace(
  kind: DatabaseKind,
  options: { accounts: number; name: string; slowPlanning?: boolean },
) {
  const { accounts } = options;
  const dataDir = tempDataDir();
  const secret = randomBytes(32).toString('hex');
  // A slow policy call must not hit the per-call time limit on a loaded machine.
  const common = { DATA_DIR: dataDir, SECRET_KEY: secret, LOG_LEVEL: 'warn', SANDBOX_TIMEOUT_MS: '60000' };
  let db: Database;
  let env: Record<string, string>;
  let dispose = async () => {};
  if (kind === 'postgres') {
    const test = await createTestDatabase('postgres');
    db = test;
    env = { ...common, DATABASE_URL: test.url as string };
    dispose = () => test.close();
  } else {
    db = await openPglite(copyPgliteTemplate(pgliteDir(dataDir)));
    env = common;
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
  if (options.slowPlanning) {
    const saved = await savePolicy(db, slowPopulationPath, slowPopulation);
    if (!saved.saved) throw new Error(`the slow population policy: ${JSON.stringify(saved.diagnostics)}`);
    await db.rows(sql`update recon_situations set population_policy = ${slowPopulationPath}
      where config_id = ${system.configId} and response in ('ADD_TO_IDM', 'UPDATE_IDM_FROM_RESOURCE')`);
  }
  if (kind === 'pglite') await db.close();
  const open = async () => (kind === 'pglite' ? openPglite(pgliteDir(dataDir)) : db);
  const close = async (handle: Database) => (kind === 'pglite' ? handle.close() : undefined);
  return { kind, env, system, open, close, dispose };
}

export type CrashWorkspace = Awaited<ReturnType<typeof crashWorkspace>>;

/** `trueup <args>` on the workspace, without the launcher, so that SIGKILL reaches the engine itself. */
export function startTrueup(ws: CrashWorkspace, args: string[]) {
  const child: ChildProcessWithoutNullStreams = spawn(
    path.join(repoRoot, 'node_modules/.bin/node'),
    ['--no-node-snapshot', '--disable-warning=ExperimentalWarning', 'server/cli/entry.ts', ...args],
    { cwd: repoRoot, env: { ...process.env, ...ws.env, DATABASE_URL: ws.env.DATABASE_URL ?? '' } },
  );
  let output = '';
  const watchers = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk;
    for (const watcher of watchers) watcher();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_, signal) => resolve(signal)),
  );
  return {
    pid: child.pid as number,
    output: () => output,
    /** Resolves once the output matches `pattern`; rejects if the process ends first. */
    waitFor(pattern: RegExp): Promise<void> {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!pattern.test(output)) return;
          watchers.delete(check);
          resolve();
        };
        watchers.add(check);
        check();
        exited.then(() => {
          if (watchers.delete(check))
            reject(new Error(`trueup ended before printing ${pattern}:\n${output}`));
        });
      });
    },
    /**
     * Resolves with the pids of the first child processes it starts. The CLI starts none but the
     * policy sandbox's workers, on the first policy call: the run is calling its policies.
     */
    async waitForChildren(): Promise<number[]> {
      for (;;) {
        const children = childPids(child.pid as number);
        if (children.length > 0) return children;
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`trueup ended before it started a policy worker:\n${output}`);
        await sleep(10);
      }
    },
    /** SIGKILL, to it and to `also` (its workers): no chance to clean up. Resolves with its signal. */
    kill(also: number[] = []): Promise<NodeJS.Signals | null> {
      child.kill('SIGKILL');
      for (const pid of also) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone with its parent already
        }
      }
      return exited;
    },
  };
}

/** The child processes of `pid` (Linux: /proc/<pid>/task/<tid>/children). */
function childPids(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
    );
  } catch {
    return []; // the process, or one of its threads, just ended
  }
}

/**
 * Puts a named pipe where the system's CSV file was, so that whoever reads the file next waits
 * on it: the test holds a run inside the phase that reads it. `feed` writes the start of the file
 * into the pipe (resolving once a reader has opened it); `restore` puts the file back.
 */
export function holdFile(file: string) {
  const whole = `${file}.whole`;
  renameSync(file, whole);
  execFileSync('mkfifo', [file]);
  let writer: ReturnType<typeof createWriteStream> | null = null;
  return {
    feed(text: string): Promise<void> {
      const stream = createWriteStream(file);
      writer = stream;
      // The reader is killed with the pipe still open: the broken pipe is expected.
      stream.on('error', () => {});
      return new Promise((resolve) => stream.write(text, () => resolve()));
    },
    restore() {
      writer?.destroy();
      rmSync(file, { force: true });
      renameSync(whole, file);
    },
  };
}
