/**
 * `npm run bench:recon [-- --source csv|sql|ldap|all] [--large | --n <count>]`: reconciliation
 * runs of N accounts (default 100k, `--large` 1M) against N IDM users on PostgreSQL, through the
 * real run service and connector. Sources: a CSV file (the default), a MariaDB table (`sql`), a
 * throwaway slapd seeded by slapadd (`ldap`); `all` runs the three one after the other. The
 * accounts and the mix are in bench-recon/seed.ts.
 *
 * Per source, four runs in a row: a full run; the same source again (a no-change full run); an
 * incremental run after 100 accounts changed on the source; one after 1% (N/100) changed. Each
 * prints, per phase (reading, planning, gating, applying, finishing), wall time, objects/s and the
 * peak RSS of the engine and of the sandbox worker (bench-recon/measure-run.ts). After the runs,
 * in this process, the source's floor is taken (bench-recon/floor.ts): reading it through the
 * connector plus COPYing the same rows into PostgreSQL. The four runs go twice, each time on a
 * fresh seed and in a fresh engine process: policies in the sandbox, then called in the engine's
 * process (in-process-policies.ts). In the sandboxed setup the full run is then replayed with a
 * changed population policy (bench-recon/replay-run.ts): the replay's time is printed beside the
 * run's. The summary gives each run's ratio to the floor, the sandboxed ÷ in-process ratio and the
 * issue's targets beside the figures. Figures, not a timed test. Uses TEST_DATABASE_URL (scratch
 * databases are created and dropped) and MariaDB on 127.0.0.1:3306 (root, no password).
 */

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { eq } from 'drizzle-orm';
import mysql from 'mysql2/promise';
import postgres from 'postgres';
import { openPostgres } from '../server/db/client.ts';
import { migrateDatabase } from '../server/db/migrate.ts';
import { type ManagedSystemRow, managedSystems } from '../server/db/schema/index.ts';
import { type EngineRunsResult, runEngineScenarios } from './bench-recon/engine-runs.ts';
import { measureFloor } from './bench-recon/floor.ts';
import { describeReplay, type ReplayFigures } from './bench-recon/replay-run.ts';
import {
  describeFloor,
  type Measured,
  type PolicyMode,
  policyModes,
  type SourceRead,
  summaryTable,
} from './bench-recon/report.ts';
import { mariadb, type Source, seed, sources } from './bench-recon/seed.ts';
import { type Slapd, startSlapd } from './fixtures/slapd.ts';

const { values } = parseArgs({
  options: {
    source: { type: 'string', default: 'csv' },
    large: { type: 'boolean' },
    n: { type: 'string' },
    // The engine process's arguments (runEngineScenarios).
    'engine-for': { type: 'string' },
    'config-id': { type: 'string' },
    policies: { type: 'string' },
    results: { type: 'string' },
  },
});
const chosen: readonly Source[] = values.source === 'all' ? sources : [values.source as Source];
if (!chosen.every((s) => sources.includes(s)))
  throw new Error(`--source must be one of ${sources.join(', ')} or all`);
const n = values.n ? Number(values.n) : values.large ? 1_000_000 : 100_000;
if (!Number.isInteger(n) || n < 100) throw new Error('--n must be a whole number of at least 100');
const serverUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const urlOf = (name: string) => Object.assign(new URL(serverUrl), { pathname: `/${name}` }).toString();
const say = (text: string) => process.stdout.write(`${text}\n`);

/** The runs, in a child process: its peak RSS is the engine's, not this seeding process's. */
async function engineRunsInChild(
  source: Source,
  policies: PolicyMode,
  database: string,
  configId: string,
  workdir: string,
) {
  const resultsFile = path.join(workdir, 'results.json');
  const args = ['--source', source, '--n', String(n), '--policies', policies];
  args.push('--engine-for', database, '--config-id', configId, '--results', resultsFile);
  const child = spawn(process.execPath, [...process.execArgv, import.meta.filename, ...args], {
    stdio: 'inherit',
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`the engine process failed with exit code ${code}`);
  return JSON.parse(readFileSync(resultsFile, 'utf8')) as EngineRunsResult;
}

/** A fresh PostgreSQL database, source and (for ldap) slapd, seeded, then the runs; all dropped after. */
async function benchSource(source: Source, policies: PolicyMode, name: string) {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const workdir = mkdtempSync(path.join(tmpdir(), 'trueup-bench-'));
  const mariadbDatabase = source === 'sql' ? name : null;
  if (mariadbDatabase) {
    const connection = await mysql.createConnection(mariadb);
    await connection.query(`create database ${mariadbDatabase}`);
    await connection.end();
  }
  let slapd: Slapd | null = null;
  const db = await openPostgres(urlOf(name));
  try {
    await migrateDatabase(db);
    const seedStart = performance.now();
    const configId = await seed(db, { source, n, workdir, mariadbDatabase });
    if (source === 'ldap') {
      slapd = await startSlapd({ file: path.join(workdir, 'seed.ldif') });
      const [system] = (await db.orm.select().from(managedSystems)) as [ManagedSystemRow];
      await db.orm
        .update(managedSystems)
        .set({ connection: { ...system.connection, url: slapd.url } })
        .where(eq(managedSystems.id, system.id));
    }
    const slapdNote = source === 'ldap' ? ' (slapadd and slapd start included)' : '';
    const seconds = ((performance.now() - seedStart) / 1000).toFixed(1);
    say(`source ${source}: seeded ${n} accounts / IDM users${slapdNote} in ${seconds} s`);
    const result = await engineRunsInChild(source, policies, name, configId, workdir);
    // Here, not in the engine's process: the rows it holds for the COPY would stay in that RSS.
    const [system] = (await db.orm.select().from(managedSystems)) as [ManagedSystemRow];
    const read: SourceRead = {
      source,
      policies,
      ...(await measureFloor(system, ['cn', 'mail'], urlOf(name))),
    };
    say(describeFloor(read));
    return { ...result, read };
  } finally {
    await db.close();
    await slapd?.stop();
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
    if (mariadbDatabase) {
      const connection = await mysql.createConnection(mariadb);
      await connection.query(`drop database if exists ${mariadbDatabase}`);
      await connection.end();
    }
    rmSync(workdir, { recursive: true, force: true });
  }
}

async function main() {
  const load = os.loadavg()[0]!.toFixed(1);
  say(
    `bench:recon: N = ${n}, sources ${chosen.join(', ')}, node ${process.version}, ${os.cpus().length} CPUs, load average ${load}\n`,
  );
  const measured: Measured[] = [];
  const reads: SourceRead[] = [];
  const replays: Array<[Source, ReplayFigures]> = [];
  let setups = 0;
  for (const source of chosen) {
    for (const policies of policyModes) {
      say(`== ${source}, ${policies} policies ==`);
      const result = await benchSource(source, policies, `trueup_bench_${process.pid}_${setups++}`);
      measured.push(...result.measured);
      reads.push(result.read);
      if (result.replay) replays.push([source, result.replay]);
    }
  }
  say(summaryTable(measured, reads, n));
  for (const [source, replay] of replays) say(`${source}: ${describeReplay(replay)}`);
  // Single runs on a shared machine: the load says how much to trust a ratio.
  say(`load average at the end ${os.loadavg()[0]!.toFixed(1)}`);
}

if (values['engine-for']) {
  await runEngineScenarios({
    source: values.source as Source,
    policies: values.policies as PolicyMode,
    n,
    databaseUrl: urlOf(values['engine-for']),
    configId: values['config-id'] as string,
    resultsFile: values.results as string,
  });
} else {
  await main();
}
