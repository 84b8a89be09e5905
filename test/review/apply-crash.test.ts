import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { type Database, type DatabaseKind, openPglite } from '../../server/db/client.ts';
import { migrateDatabase } from '../../server/db/migrate.ts';
import { createTestDatabase, databaseKinds } from '../helpers/databases.ts';
import { repoRoot, runTrueup, tempDataDir } from '../helpers/server.ts';
import { createCsvSystem } from '../runs/recon-fixture.ts';

const accounts = 4000;
const nodeBinary = path.join(repoRoot, 'node_modules/.bin/node');

/** A workspace the CLI opens: PostgreSQL, or PGlite in a data folder, with one CSV config. */
async function workspace(kind: DatabaseKind, csv: string) {
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
  const system = await createCsvSystem(db, csv, {
    name: 'crash-apply',
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

type Workspace = Awaited<ReturnType<typeof workspace>>;

/** What the apply run left behind, without the ids chosen at random at plan time. */
async function snapshot(ws: Workspace) {
  const db = await ws.open();
  try {
    const idm = await db.rows(
      sql`select employee_id, name, status, attributes, version from idm_objects order by employee_id`,
    );
    // By key: the order among IDM objects without an account follows their (random) ids.
    const events = await db.rows<{ outcome: string }>(sql`select e.object_key, e.situation, e.response,
      e.outcome, e.diff from run_events e join runs r on r.id = e.run_id where r.trigger = 'apply' order by e.object_key`);
    const links = await db.rows<{ n: number }>(sql`select count(*)::int as n from links`);
    const runs = await db.rows<{ trigger: string; status: string }>(
      sql`select trigger, status from runs order by created_at`,
    );
    const csv = readFileSync(ws.system.file, 'utf8').trim().split('\n').sort();
    return { idm, events, links: links[0]?.n, runs, csv };
  } finally {
    await ws.close(db);
  }
}

async function plan(ws: Workspace) {
  const result = await runTrueup(['plan', ws.system.configId], ws.env);
  expect(result.code, result.stderr).toBe(0);
  const hash = /plan hash\s+([0-9a-f]{64})/.exec(result.stdout)?.[1];
  const runId = /^run\s+(\S+)$/m.exec(result.stdout)?.[1];
  expect(hash).toBeDefined();
  return { runId: runId as string, hash: hash as string, stdout: result.stdout };
}

function csvFile() {
  const lines = ['employeeId,name,email'];
  for (let i = 0; i < accounts; i++) lines.push(`E${i},New ${i},e${i}@x`);
  return `${lines.join('\n')}\n`;
}

describe.each(databaseKinds)('an apply run killed mid-apply resumes exactly [%s]', (kind) => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it.runIf(kind === 'pglite' || inject('postgres'))(
    'gives the same IDM, CSV and events as an uninterrupted apply',
    async () => {
      const csv = csvFile();
      const killed = await workspace(kind, csv);
      const whole = await workspace(kind, csv);
      cleanups.push(killed.dispose, whole.dispose);

      const reference = await plan(whole);

      expect(reference.stdout).toContain('response ADD_TO_RESOURCE');
      const applied = await runTrueup(['apply', reference.runId, '--plan-hash', reference.hash], whole.env);
      expect(applied.stderr).toBe('');
      expect(applied.code).toBe(0);

      const reviewed = await plan(killed);
      // SIGKILL once the apply run's progress shows applying has begun: no chance to clean up.
      const child = spawn(
        nodeBinary,
        [
          '--no-node-snapshot',
          '--disable-warning=ExperimentalWarning',
          'server/cli/entry.ts',
          'apply',
          reviewed.runId,
          '--plan-hash',
          reviewed.hash,
        ],
        {
          cwd: repoRoot,
          env: { ...process.env, ...killed.env, DATABASE_URL: killed.env.DATABASE_URL ?? '' },
        },
      );
      let output = '';
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        child.on('exit', (_, signal) => resolve(signal)),
      );
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk;
        if (output.includes('applying')) child.kill('SIGKILL');
      });
      expect(await exited).toBe('SIGKILL');
      const interrupted = await snapshot(killed);
      expect(interrupted.runs).toEqual([
        { trigger: 'cli', status: 'succeeded' },
        { trigger: 'apply', status: 'running' },
      ]);
      expect(interrupted.events.filter((e) => e.outcome === 'applied').length).toBeGreaterThan(0);
      expect(interrupted.events.filter((e) => e.outcome === 'planned').length).toBeGreaterThan(0);

      const resumed = await runTrueup(['run', '--resume'], killed.env);

      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stdout).toContain('succeeded');

      const [after, expected] = [await snapshot(killed), await snapshot(whole)];
      expect(after.runs).toEqual(expected.runs);
      expect(after.events).toEqual(expected.events);
      expect(after.idm).toEqual(expected.idm);
      expect(after.csv).toEqual(expected.csv);
      expect(after.links).toBe(expected.links);
      expect(after.events.every((e) => e.outcome === 'applied')).toBe(true);

      // And the plan cannot be applied a second time.
      const twice = await runTrueup(['apply', reviewed.runId], killed.env);
      expect(twice.code).toBe(1);
      expect(twice.stderr).toContain('applied already');
    },
    400_000,
  );
});
