/**
 * `npm run bench:recon [-- --source csv|sql|ldap] [--large | --n <count>]`: one full
 * reconciliation run of N accounts against N IDM users on PostgreSQL, through the real engine,
 * connector and sandbox (matching rule and population policies); then 100 accounts change on the
 * source and an incremental run reads from the full run's watermark. Sources: a CSV file (the
 * default), a MariaDB table (`sql`), or a throwaway slapd seeded by slapadd (`ldap`). The mix:
 * 90% unchanged, 5% attribute drift, 2% orphans, 2% IDM-only, 1% deleted in the IDM. Prints wall
 * time, objects/s and peak RSS per run. Figures, not a timed test. Uses TEST_DATABASE_URL (a
 * scratch database is created and dropped) and MariaDB on 127.0.0.1:3306 (root, no password).
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { eq, sql } from 'drizzle-orm';
import mysql from 'mysql2/promise';
import postgres from 'postgres';
import { createConnector } from '../server/connectors/index.ts';
import { type Database, openPostgres } from '../server/db/client.ts';
import { migrateDatabase } from '../server/db/migrate.ts';
import {
  type ManagedSystemRow,
  managedSystems,
  reconConfigs,
  reconSituations,
  runs,
} from '../server/db/schema/index.ts';
import { createPolicyRunner } from '../server/sandbox/index.ts';
import { savePolicy } from '../server/sandbox/store.ts';
import { createRunService } from '../server/services/runs/run-service.ts';
import type { RunMode } from '../server/services/runs/types.ts';
import {
  changeLdapPeople,
  changeSqlPeople,
  createPeopleTable,
  type Person,
  peopleCsv,
  peopleLdif,
  seededAt,
} from './fixtures/people.ts';
import { rootDn, rootPassword, type Slapd, startSlapd, suffix } from './fixtures/slapd.ts';

const sources = ['csv', 'sql', 'ldap'] as const;
type Source = (typeof sources)[number];

const { values } = parseArgs({
  options: {
    source: { type: 'string', default: 'csv' },
    large: { type: 'boolean' },
    n: { type: 'string' },
    'seed-into': { type: 'string' },
    workdir: { type: 'string' },
    'mariadb-database': { type: 'string' },
  },
});
const source = values.source as Source;
if (!sources.includes(source)) throw new Error(`--source must be one of ${sources.join(', ')}`);
const n = values.n ? Number(values.n) : values.large ? 1_000_000 : 100_000;
if (!Number.isInteger(n) || n < 100) throw new Error('--n must be a whole number of at least 100');
const changedCount = 100;
const serverUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const mariadb = {
  host: process.env.TEST_MARIADB_HOST ?? '127.0.0.1',
  port: Number(process.env.TEST_MARIADB_PORT ?? 3306),
  user: process.env.TEST_MARIADB_USER ?? 'root',
  password: process.env.TEST_MARIADB_PASSWORD ?? '',
};
const scratch = `trueup_bench_${process.pid}`;
const urlOf = (name: string) => Object.assign(new URL(serverUrl), { pathname: `/${name}` }).toString();

const matching = `import { defineMatchingRule } from 'trueup:policy';
const key = (v: unknown) => (typeof v === 'string' ? v.trim().toLowerCase() : '');
export default defineMatchingRule({
  accountKeys: (account) => [key(account.key)].filter(Boolean),
  idmKeys: (user) => [key(user.attributes.employeeId)].filter(Boolean),
  score: () => 0,
});`;
const population = `import { definePopulation } from 'trueup:policy';
export default definePopulation(({ account }) => ({
  employeeId: account.key,
  name: typeof account.attributes.cn === 'string' ? account.attributes.cn.trim() : null,
  email: typeof account.attributes.mail === 'string' ? account.attributes.mail.toLowerCase() : null,
}));`;

type Kind = 'unchanged' | 'drift' | 'orphan' | 'idmOnly' | 'deleted';
const kindOf = (i: number): Kind => {
  const r = i % 100;
  return r < 90 ? 'unchanged' : r < 95 ? 'drift' : r < 97 ? 'orphan' : r < 99 ? 'idmOnly' : 'deleted';
};
const uidOf = (i: number) => `E${String(i).padStart(7, '0')}`;

/** Accounts that change on the source before the incremental run: spread out, all linked and unchanged so far. */
function changedUids(): string[] {
  const unchanged: number[] = [];
  for (let i = 0; i < n; i++) if (kindOf(i) === 'unchanged') unchanged.push(i);
  const picked = new Set<number>();
  for (let k = 0; k < changedCount; k++)
    picked.add(unchanged[Math.floor((k * unchanged.length) / changedCount)] as number);
  return [...picked].map(uidOf);
}

/** Peak RSS of this process and of its children (the sandbox worker), in MB, from /proc. */
function peakRss() {
  const hwm = (pid: number | string) => {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  };
  let children = 0;
  for (const task of readdirSync('/proc/self/task')) {
    for (const pid of readFileSync(`/proc/self/task/${task}/children`, 'utf8').split(' ').filter(Boolean)) {
      children = Math.max(children, hwm(pid));
    }
  }
  return { main: hwm('self'), worker: children };
}

/** The source's accounts, written where its connector reads them; returns the system's connection. */
async function seedSource(people: Person[], workdir: string): Promise<Record<string, unknown>> {
  switch (source) {
    case 'csv': {
      const file = path.join(workdir, 'hr.csv');
      writeFileSync(file, peopleCsv(people));
      return { path: file, watermarkColumn: 'updatedAt' };
    }
    case 'sql': {
      const database = values['mariadb-database'] as string;
      const connection = await mysql.createConnection({ ...mariadb, database, timezone: 'Z' });
      try {
        await createPeopleTable('mysql', (q, params) => connection.query(q, params), people);
      } finally {
        await connection.end();
      }
      return { dialect: 'mysql', ...mariadb, database, table: 'people', watermarkColumn: 'updated_at' };
    }
    case 'ldap':
      // slapadd loads this file in the parent; the URL is set once slapd listens.
      writeFileSync(path.join(workdir, 'seed.ldif'), peopleLdif(people));
      return { url: 'ldap://127.0.0.1:389', bindDn: rootDn, baseDn: `ou=people,${suffix}`, pageSize: 1000 };
  }
}

async function seed(db: Database, workdir: string) {
  const people: Person[] = [];
  const users: object[] = [];
  const links: object[] = [];
  for (let i = 0; i < n; i++) {
    const kind = kindOf(i);
    const uid = uidOf(i);
    const name = `Person ${i}`;
    const mail = `p${i}@example.com`;
    if (kind !== 'idmOnly')
      people.push({
        uid,
        cn: kind === 'drift' ? `${name} Renamed` : name,
        mail,
        title: 'Engineer',
        changedAt: seededAt(i),
      });
    if (kind !== 'orphan') {
      const id = `u-${i}`;
      users.push({
        id,
        name,
        employeeId: uid,
        email: mail,
        status: kind === 'deleted' ? 'deleted' : 'active',
      });
      if (kind !== 'idmOnly') links.push({ account_key: uid, idm_object_id: id });
    }
  }
  const connection = await seedSource(people, workdir);
  const [system] = await db.orm
    .insert(managedSystems)
    .values({
      name: `bench-${source}`,
      type: source,
      trusted: true,
      uniqueFieldKey: 'uid',
      connection,
      attributes: ['uid', 'cn', 'mail'],
    })
    .returning();
  const systemId = system?.id as string;
  for (let at = 0; at < users.length; at += 20_000) {
    await db.rows(sql`insert into idm_objects (id, type, name, status, employee_id, email, attributes)
      select x.id, 'User', x.name, x.status, x."employeeId", x.email, jsonb_build_object('employeeId', x."employeeId", 'name', x.name, 'email', x.email)
      from jsonb_to_recordset(${JSON.stringify(users.slice(at, at + 20_000))}::jsonb) as x(id text, name text, status text, "employeeId" text, email text)`);
    await db.rows(sql`insert into links (system_id, object_type, account_key, idm_object_id)
      select ${systemId}, 'User', x.account_key, x.idm_object_id
      from jsonb_to_recordset(${JSON.stringify(links.slice(at, at + 20_000))}::jsonb) as x(account_key text, idm_object_id text)`);
  }
  for (const [p, text] of [
    ['bench/matching.ts', matching],
    ['bench/population.ts', population],
  ] as const) {
    const saved = await savePolicy(db, p, text);
    if (!saved.saved) throw new Error(`${p}: ${JSON.stringify(saved.diagnostics)}`);
  }
  const [config] = await db.orm
    .insert(reconConfigs)
    .values({
      systemId,
      objectType: 'User',
      matchingPolicy: 'bench/matching.ts',
      policyMap: ['cn', 'mail'],
      attributeSync: {},
    })
    .returning();
  const configId = config?.id as string;
  await db.orm.insert(reconSituations).values([
    {
      configId,
      situation: 'IDM_EXISTS__RESOURCE_EXISTS',
      response: 'UPDATE_IDM_FROM_RESOURCE',
      populationPolicy: 'bench/population.ts',
    },
    {
      configId,
      situation: 'IDM_NOT_EXISTS__RESOURCE_EXISTS',
      response: 'ADD_TO_IDM',
      populationPolicy: 'bench/population.ts',
    },
    { configId, situation: 'IDM_EXISTS__RESOURCE_NOT_EXISTS', response: 'DISABLE_IN_IDM' },
    { configId, situation: 'IDM_DELETED__RESOURCE_EXISTS', response: 'DELETE_FROM_RESOURCE' },
  ]);
  return configId;
}

/**
 * Seeding (and compiling the policies, which loads the TypeScript compiler) runs in a child
 * process, so the peak RSS reported is the engine's alone.
 */
function seedInChild(database: string, workdir: string, mariadbDatabase: string | null): string {
  const args = ['--source', source, '--n', String(n), '--seed-into', database, '--workdir', workdir];
  if (mariadbDatabase) args.push('--mariadb-database', mariadbDatabase);
  const child = spawnSync(process.execPath, [...process.execArgv, import.meta.filename, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 20,
  });
  if (child.status !== 0) throw new Error(`seeding failed with exit code ${child.status}`);
  return child.stdout.trim();
}

/** Changes `cn` of the given accounts on the source, as an integrator's HR system would. */
async function changeSource(system: ManagedSystemRow, uids: string[], slapd: Slapd | null) {
  const value = 'Changed On Source';
  if (source === 'sql') {
    const connection = await mysql.createConnection({
      ...mariadb,
      database: system.connection.database as string,
      timezone: 'Z',
    });
    try {
      await changeSqlPeople('mysql', (q, params) => connection.query(q, params), uids, 'cn', value);
    } finally {
      await connection.end();
    }
  } else if (source === 'ldap') {
    await changeLdapPeople(slapd?.url as string, uids, 'cn', value);
  } else {
    const connector = createConnector({
      type: 'csv',
      uniqueFieldKey: system.uniqueFieldKey,
      connection: system.connection,
      secrets: {},
    });
    const updatedAt = new Date().toISOString();
    const results = await connector.write(
      uids.map((key) => ({ op: 'update' as const, key, patch: { cn: value, updatedAt } })),
    );
    await connector.close();
    if (results.some((r) => !r.ok)) throw new Error('changing the CSV file failed');
  }
}

async function main() {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${scratch}`);
  const dir = mkdtempSync(path.join(tmpdir(), 'trueup-bench-'));
  const mariadbDatabase = source === 'sql' ? scratch : null;
  if (mariadbDatabase) {
    const connection = await mysql.createConnection(mariadb);
    await connection.query(`create database ${mariadbDatabase}`);
    await connection.end();
  }
  let slapd: Slapd | null = null;
  const db = await openPostgres(urlOf(scratch));
  const policies = createPolicyRunner(db, { memoryMb: 256, timeoutMs: 60_000, runCpuMs: 3_600_000 });
  try {
    await migrateDatabase(db);
    const seedStart = performance.now();
    const configId = seedInChild(scratch, dir, mariadbDatabase);
    const [found] = await db.orm.select().from(managedSystems);
    let system = found as ManagedSystemRow;
    if (source === 'ldap') {
      slapd = await startSlapd({ file: path.join(dir, 'seed.ldif') });
      [system] = (await db.orm
        .update(managedSystems)
        .set({ connection: { ...system.connection, url: slapd.url } })
        .where(eq(managedSystems.id, system.id))
        .returning()) as [ManagedSystemRow];
    }
    process.stdout.write(
      `source ${source}: seeded ${n} accounts / IDM users${source === 'ldap' ? ' (slapadd and slapd start included)' : ''} in ${((performance.now() - seedStart) / 1000).toFixed(1)} s\n`,
    );
    // Warm the sandbox (worker start and compile) so the figure is the run, not the first start.
    await policies.call('bench/population.ts', 'population', 'default', []);
    const service = createRunService({
      db,
      log: { info: () => {}, warn: (o, m) => process.stderr.write(`${m} ${JSON.stringify(o)}\n`) },
      policies,
      openConnector: (s) =>
        createConnector({
          type: s.type,
          uniqueFieldKey: s.uniqueFieldKey,
          connection: s.connection,
          secrets: s.type === 'ldap' ? { bindPassword: rootPassword } : {},
        }),
      retentionDays: 90,
    });

    const timedRun = async (mode: RunMode) => {
      let runPeak = process.memoryUsage.rss();
      const sampler = setInterval(() => {
        runPeak = Math.max(runPeak, process.memoryUsage.rss());
      }, 20);
      const phases: string[] = [];
      let phase = '';
      const started = performance.now();
      const apply = { changes: 0, from: 0, to: 0 };
      const outcome = await service.start({ configId, dryRun: false, mode, trigger: 'cli' }, (p) => {
        // Applying reports after each batch: the gate (a few queries) is timed with it.
        if (p.phase === 'gating') apply.from = performance.now();
        if (p.phase === 'applying') apply.changes = p.done;
        if (p.phase === 'finishing' && !apply.to) apply.to = performance.now();
        if (p.phase !== phase) {
          phase = p.phase;
          phases.push(`${p.phase} at ${((performance.now() - started) / 1000).toFixed(2)} s`);
        }
      });
      if (outcome.outcome !== 'started') throw new Error(`run did not start: ${outcome.outcome}`);
      await service.wait(outcome.runId);
      const seconds = (performance.now() - started) / 1000;
      clearInterval(sampler);
      const [run] = await db.orm.select().from(runs).where(eq(runs.id, outcome.runId));
      const [events] = await db.rows<{ n: number }>(
        sql`select count(*)::int as n from run_events where run_id = ${outcome.runId}`,
      );
      // Objects considered: one per correlated pair (an account, an IDM-only object, or both).
      const objects = Object.values(run?.counts.situations ?? {}).reduce((a, b) => a + b, 0);
      process.stdout.write(
        `${[
          `${mode} run: ${run?.status}, ${objects} objects, ${events?.n} events, counts ${JSON.stringify(run?.counts)}`,
          `  phases: ${phases.join(', ')}`,
          `  wall time ${seconds.toFixed(2)} s, ${Math.round(objects / seconds)} objects/s, ${(runPeak / 2 ** 20).toFixed(0)} MB RSS sampled during the run`,
          `  apply: ${apply.changes} changes in ${((apply.to - apply.from) / 1000).toFixed(2)} s (gate included) = ${Math.round(apply.changes / ((apply.to - apply.from) / 1000))}/s`,
        ].join('\n')}\n`,
      );
      if (run?.status !== 'succeeded')
        throw new Error(`the ${mode} run ${run?.status}: ${run?.error?.message}`);
    };

    await timedRun('full');
    const uids = changedUids();
    await changeSource(system, uids, slapd);
    process.stdout.write(`changed cn of ${uids.length} accounts on the source\n`);
    await timedRun('incremental');
    const rss = peakRss();
    process.stdout.write(
      `peak RSS ${rss.main.toFixed(0)} MB (engine process), ${rss.worker.toFixed(0)} MB (sandbox worker process)\n`,
    );
  } finally {
    await policies.close();
    await db.close();
    await slapd?.stop();
    await admin.unsafe(`drop database if exists ${scratch} with (force)`);
    await admin.end();
    if (mariadbDatabase) {
      const connection = await mysql.createConnection(mariadb);
      await connection.query(`drop database if exists ${mariadbDatabase}`);
      await connection.end();
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

if (values['seed-into']) {
  const db = await openPostgres(urlOf(values['seed-into']));
  try {
    process.stdout.write(await seed(db, values.workdir as string));
  } finally {
    await db.close();
  }
} else {
  await main();
}
