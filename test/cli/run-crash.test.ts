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

const accounts = 10_000;
const nodeBinary = path.join(repoRoot, 'node_modules/.bin/node');

/** A workspace: a database (PostgreSQL, or PGlite in a data folder) seeded with one CSV config. */
async function workspace(kind: DatabaseKind, csv: string) {
  const dataDir = tempDataDir();
  const secret = randomBytes(32).toString('hex');
  let db: Database;
  let env: Record<string, string>;
  let dropDatabase = async () => {};
  if (kind === 'postgres') {
    const test = await createTestDatabase('postgres');
    db = test;
    env = { DATABASE_URL: test.url as string, DATA_DIR: dataDir, SECRET_KEY: secret, LOG_LEVEL: 'warn' };
    dropDatabase = () => test.close();
  } else {
    db = await openPglite(path.join(dataDir, 'pglite'));
    await migrateDatabase(db);
    env = { DATA_DIR: dataDir, SECRET_KEY: secret, LOG_LEVEL: 'warn' };
  }
  // Half the accounts have an IDM user with drift in the name; the other half are orphans; and
  // a tenth of the IDM users have no account.
  const users = Array.from({ length: accounts / 2 + accounts / 10 }, (_, i) => {
    const employeeId = i < accounts / 2 ? `E${i}` : `I${i}`;
    return { employeeId, name: `Old ${i}`, email: `${employeeId.toLowerCase()}@x` };
  });
  await db.rows(sql`insert into idm_objects (type, name, employee_id, email, attributes)
    select 'User', x.name, x."employeeId", x.email, to_jsonb(x) from jsonb_to_recordset(${JSON.stringify(users)}::jsonb)
    as x("employeeId" text, name text, email text)`);
  const system = await createCsvSystem(db, csv, {
    name: 'crash-app',
    situations: {
      IDM_EXISTS__RESOURCE_EXISTS: 'UPDATE_IDM_FROM_RESOURCE',
      IDM_NOT_EXISTS__RESOURCE_EXISTS: 'ADD_TO_IDM',
      IDM_EXISTS__RESOURCE_NOT_EXISTS: 'ADD_TO_RESOURCE',
    },
  });
  if (kind === 'pglite') await db.close();
  const open = async () => (kind === 'pglite' ? openPglite(path.join(dataDir, 'pglite')) : db);
  const close = async (handle: Database) => (kind === 'pglite' ? handle.close() : undefined);
  return { env, system, open, close, dispose: dropDatabase };
}

/**
 * What a run left behind, without the ids chosen at random at plan time. Events are compared in
 * key order: the IDM objects no account points at are planned in id order, and ids are random.
 */
async function snapshot(ws: Awaited<ReturnType<typeof workspace>>) {
  const db = await ws.open();
  try {
    const idm = await db.rows(
      sql`select employee_id, name, status, attributes from idm_objects order by employee_id`,
    );
    const events = await db.rows(
      sql`select object_key, situation, response, outcome, diff from run_events order by object_key, situation, seq`,
    );
    const [seqs] = await db.rows<{ ok: boolean }>(
      sql`select count(distinct seq) = count(*) and coalesce(max(seq) + 1, 0) = count(*) as ok from run_events`,
    );
    const links = await db.rows<{ n: number }>(sql`select count(*)::int as n from links`);
    const runs = await db.rows<{ status: string; phase: string | null }>(sql`select status, phase from runs`);
    const [stage] = await db.rows<{ n: number }>(
      sql`select (select count(*) from run_accounts) + (select count(*) from run_seen) as n`,
    );
    const csv = readFileSync(ws.system.file, 'utf8').trim().split('\n').sort();
    return {
      idm,
      events,
      links: links[0]?.n,
      runs: runs.map((r) => r.status),
      phases: runs.map((r) => r.phase),
      csv,
      staged: Number(stage?.n),
      seqsInOrder: seqs?.ok,
    };
  } finally {
    await ws.close(db);
  }
}

function csvFile() {
  const lines = ['employeeId,name,email'];
  for (let i = 0; i < accounts; i++) lines.push(`E${i},New ${i},e${i}@x`);
  return `${lines.join('\n')}\n`;
}

const phases = ['planning', 'applying'] as const;
const cases = databaseKinds.flatMap((kind) => phases.map((phase) => [phase, kind] as const));

describe.each(cases)('a run killed while %s resumes exactly [%s]', (phase, kind) => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it.runIf(kind === 'pglite' || inject('postgres'))(
    'gives the same IDM, CSV and events as an uninterrupted run',
    async () => {
      const csv = csvFile();
      const killed = await workspace(kind, csv);
      const whole = await workspace(kind, csv);
      cleanups.push(killed.dispose, whole.dispose);

      const reference = await runTrueup(['run', whole.system.configId], whole.env);
      expect(reference.stderr).toBe('');
      expect(reference.code).toBe(0);

      const before = await snapshot(killed);
      // Kill the process (SIGKILL: no chance to clean up) once its progress shows the phase has begun.
      const child = spawn(
        nodeBinary,
        [
          '--no-node-snapshot',
          '--disable-warning=ExperimentalWarning',
          'server/cli/entry.ts',
          'run',
          killed.system.configId,
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
        if (output.includes(phase)) child.kill('SIGKILL');
      });
      expect(await exited).toBe('SIGKILL');
      const interrupted = await snapshot(killed);
      expect(interrupted.runs).toEqual(['running']);
      const planned = interrupted.events.filter((e) => e.outcome === 'planned').length;
      const applied = interrupted.events.filter((e) => e.outcome === 'applied').length;
      if (phase === 'applying') {
        expect(applied).toBeGreaterThan(0);
        expect(planned).toBeGreaterThan(0);
      } else {
        // Mid-plan: part of the plan perhaps stored, nothing written. (The stage itself may be
        // gone: it is an unlogged table, which a database that did not shut down cleanly empties.)
        expect(interrupted.phases).toEqual(['planning']);
        expect(applied).toBe(0);
        expect(interrupted.idm).toEqual(before.idm);
        expect(interrupted.csv).toEqual(before.csv);
      }

      const resumed = await runTrueup(['run', '--resume'], killed.env);
      expect(resumed.code).toBe(0);
      expect(resumed.stdout).toContain('succeeded');

      const [after, expected] = [await snapshot(killed), await snapshot(whole)];
      expect(after.runs).toEqual(['succeeded']);
      expect(after.events).toEqual(expected.events);
      expect(after.idm).toEqual(expected.idm);
      expect(after.csv).toEqual(expected.csv);
      expect(after.links).toBe(expected.links);
      expect(after.events.every((e) => e.outcome === 'applied')).toBe(true);
      expect(after.staged).toBe(0);
      expect(after.seqsInOrder).toBe(true);
    },
    180_000,
  );
});
