/**
 * npm run bench:connectors [-- --count 100000] [--scim-count 10000] [--webhook-count 10000] [--only scim,csv,webhook,…]
 * Seeds N entries into a throwaway slapd (slapadd), N rows into MariaDB and PostgreSQL, and an
 * N-row CSV, and --scim-count users into the SCIMMY test server; then per connector times a full
 * search, changes 100 objects on the server, and times the incremental search from the full
 * search's watermark. Prints objects/s. Figures, not a test.
 * Active Directory runs on a real Samba DC over its fixed 2,000 users (scripts/bench-samba.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import postgres from 'postgres';
import { createConnector } from '../server/connectors/index.ts';
import type { Connector, SearchRequest } from '../server/core/connector-port.ts';
import { startScimServer } from '../test/helpers/scim-server.ts';
import { benchSamba } from './bench-samba.ts';
import { benchWebhook, printWebhookFigures, type WebhookFigure } from './bench-webhook.ts';
import {
  changeLdapPeople,
  changeSqlPeople,
  createPeopleTable,
  type Person,
  peopleCsv,
  peopleLdif,
  type SqlDialect,
  seededAt,
} from './fixtures/people.ts';
import { rootDn, rootPassword, startSlapd, suffix } from './fixtures/slapd.ts';

const countArg = process.argv.indexOf('--count');
const count = countArg > 0 ? Number(process.argv[countArg + 1]) : 100_000;
const scimArg = process.argv.indexOf('--scim-count');
const scimCount = scimArg > 0 ? Number(process.argv[scimArg + 1]) : 10_000;
const onlyArg = process.argv.indexOf('--only');
const only = onlyArg > 0 ? new Set(process.argv[onlyArg + 1]?.split(',')) : undefined;
const webhookArg = process.argv.indexOf('--webhook-count');
const webhookCount = webhookArg > 0 ? Number(process.argv[webhookArg + 1]) : 10_000;
const webhookFigures: WebhookFigure[] = [];
const changed = 100;
const people: Person[] = Array.from({ length: count }, (_, i) => ({
  uid: `u${i}`,
  cn: `User ${i}`,
  mail: `u${i}@example.test`,
  title: 'Engineer',
  changedAt: seededAt(i),
}));
const changedUids = Array.from({ length: changed }, (_, i) => `u${i * 7}`);

type Figure = { connector: string; phase: string; objects: number; seconds: number };
const figures: Figure[] = [];

async function timeSearch(connector: Connector, name: string, phase: string, request: SearchRequest) {
  const started = performance.now();
  let objects = 0;
  let watermark: string | null | undefined = null;
  for await (const page of connector.search(request)) {
    objects += page.accounts.length;
    watermark = page.watermark;
  }
  const seconds = (performance.now() - started) / 1000;
  figures.push({ connector: name, phase, objects, seconds });
  return watermark ?? null;
}

async function benchConnector(name: string, connector: Connector, change: () => Promise<void>) {
  const attributes = ['cn', 'mail', 'title'];
  const watermark = await timeSearch(connector, name, 'full', { attributes, pageSize: 1000 });
  await change();
  await timeSearch(connector, name, `incremental (${changed} changed)`, {
    attributes,
    pageSize: 1000,
    watermark,
  });
  await connector.close();
}

async function benchLdap() {
  const seeding = performance.now();
  const slapd = await startSlapd(peopleLdif(people));
  process.stdout.write(
    `slapd: slapadd of ${count} entries and start in ${((performance.now() - seeding) / 1000).toFixed(1)} s\n`,
  );
  try {
    const connector = createConnector({
      type: 'ldap',
      uniqueFieldKey: 'uid',
      connection: { url: slapd.url, bindDn: rootDn, baseDn: `ou=people,${suffix}`, pageSize: 1000 },
      secrets: { bindPassword: rootPassword },
    });
    await benchConnector('ldap (slapd)', connector, () =>
      changeLdapPeople(slapd.url, changedUids, 'title', 'Manager'),
    );
  } finally {
    await slapd.stop();
  }
}

/** The same people table on either SQL server, filled in multi-row inserts. */
async function benchSql(
  name: string,
  dialect: SqlDialect,
  run: (sql: string, params?: unknown[]) => Promise<unknown>,
  connection: Record<string, unknown>,
) {
  const seeding = performance.now();
  await createPeopleTable(dialect, run, people);
  process.stdout.write(
    `${name}: ${count} rows inserted in ${((performance.now() - seeding) / 1000).toFixed(1)} s\n`,
  );
  const connector = createConnector({
    type: 'sql',
    uniqueFieldKey: 'uid',
    connection: { ...connection, table: 'people', watermarkColumn: 'updated_at' },
    secrets: {},
  });
  await benchConnector(name, connector, () => changeSqlPeople(dialect, run, changedUids, 'title', 'Manager'));
}

async function benchMariadb() {
  const options = { host: '127.0.0.1', port: 3306, user: 'root', password: '' };
  const database = `trueup_bench_${randomBytes(4).toString('hex')}`;
  const admin = await mysql.createConnection(options);
  await admin.query(`create database ${database}`);
  const db = await mysql.createConnection({ ...options, database, timezone: 'Z' });
  try {
    await benchSql('sql (MariaDB)', 'mysql', (sql, params) => db.query(sql, params), {
      dialect: 'mysql',
      ...options,
      database,
    });
  } finally {
    await db.end();
    await admin.query(`drop database ${database}`);
    await admin.end();
  }
}

async function benchPostgres() {
  const database = `trueup_bench_${randomBytes(4).toString('hex')}`;
  const admin = postgres({ host: '127.0.0.1', user: 'postgres', database: 'postgres', onnotice: () => {} });
  await admin.unsafe(`create database ${database}`);
  const db = postgres({ host: '127.0.0.1', user: 'postgres', database, onnotice: () => {} });
  try {
    await benchSql('sql (PostgreSQL)', 'postgres', (sql, params) => db.unsafe(sql, params as never[]), {
      dialect: 'postgres',
      host: '127.0.0.1',
      user: 'postgres',
      database,
    });
  } finally {
    await db.end();
    await admin.unsafe(`drop database ${database} with (force)`);
    await admin.end();
  }
}

async function benchCsv() {
  const dir = await mkdtemp(join(tmpdir(), 'trueup-bench-csv-'));
  const path = join(dir, 'people.csv');
  await writeFile(path, peopleCsv(people));
  try {
    const connector = createConnector({
      type: 'csv',
      uniqueFieldKey: 'uid',
      connection: { path, watermarkColumn: 'updatedAt' },
      secrets: {},
    });
    await benchConnector('csv', connector, async () => {
      const now = new Date().toISOString();
      const ops = changedUids.map((key) => ({
        op: 'update' as const,
        key,
        patch: { title: 'Manager', updatedAt: now },
      }));
      const started = performance.now();
      const results = await connector.write(ops);
      if (results.some((r) => !r.ok)) throw new Error('the CSV rewrite failed');
      figures.push({
        connector: 'csv',
        phase: `write (${changed} updates, one rewrite)`,
        objects: count,
        seconds: (performance.now() - started) / 1000,
      });
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** SCIM over HTTP to the SCIMMY test server: pages of 1000 (`count`), deltas by meta.lastModified. */
async function benchScim() {
  const server = await startScimServer();
  try {
    server.seedUsers(
      people.slice(0, scimCount).map((p) => ({
        userName: p.uid,
        displayName: p.cn,
        title: p.title,
        emails: [{ value: p.mail, type: 'work', primary: true }],
        active: true,
      })),
    );
    const connector = createConnector({
      type: 'scim',
      uniqueFieldKey: 'userName',
      connection: { baseUrl: server.baseUrl, pageSize: 1000 },
      secrets: { token: server.token },
    });
    const attributes = ['displayName', 'title', 'emails'];
    const watermark = await timeSearch(connector, 'scim (SCIMMY)', 'full', { attributes });
    const started = performance.now();
    const results = await connector.write(
      changedUids.map((key) => ({ op: 'update' as const, key, patch: { title: 'Manager' } })),
    );
    if (results.some((r) => !r.ok)) throw new Error('a SCIM PATCH failed');
    figures.push({
      connector: 'scim (SCIMMY)',
      phase: `write (${changed} PATCHes)`,
      objects: changed,
      seconds: (performance.now() - started) / 1000,
    });
    await timeSearch(connector, 'scim (SCIMMY)', `incremental (${changed} changed)`, {
      attributes,
      watermark,
    });
    await connector.close();
  } finally {
    await server.close();
  }
}

for (const [name, bench] of [
  ['scim', benchScim],
  ['csv', benchCsv],
  ['ldap', benchLdap],
  ['mariadb', benchMariadb],
  ['postgres', benchPostgres],
  ['samba', async () => figures.push(...(await benchSamba()))],
  ['webhook', async () => webhookFigures.push(...(await benchWebhook(webhookCount)))],
] as const) {
  if (only && !only.has(name)) continue;
  try {
    await bench();
  } catch (error) {
    process.stdout.write(`${name}: FAILED — ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}

process.stdout.write(
  `\n${'connector'.padEnd(18)}${'phase'.padEnd(36)}${'objects'.padStart(9)}${'seconds'.padStart(10)}${'objects/s'.padStart(12)}\n`,
);
for (const f of figures) {
  const rate = Math.round(f.objects / f.seconds).toLocaleString('en');
  process.stdout.write(
    `${f.connector.padEnd(18)}${f.phase.padEnd(36)}${String(f.objects).padStart(9)}${f.seconds.toFixed(2).padStart(10)}${rate.padStart(12)}\n`,
  );
}
if (webhookFigures.length > 0) printWebhookFigures(webhookFigures);
process.stdout.write('csv incremental scans the whole file (no index); objects/s counts what it returns.\n');
process.stdout.write(
  `peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB (N = ${count}, SCIM users = ${scimCount})\n`,
);
