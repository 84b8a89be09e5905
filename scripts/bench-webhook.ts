/**
 * The live-changes webhook path (docs/api.md "Live changes"): N signed changes POSTed to
 * /api/systems/:id/changes in bodies of 1,000, through the real HTTP app and services, timed from
 * the first POST until every change is an applied event of a live run (ADD_TO_IDM over a CSV
 * system). Prints changes/s and how many live runs took them, for PGlite and PostgreSQL.
 * `npm run bench:connectors -- --only webhook [--webhook-count 10000]`, or this file alone.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { loadConfig } from '../server/config.ts';
import { type Database, openPglite, openPostgres } from '../server/db/client.ts';
import { migrateDatabase } from '../server/db/migrate.ts';
import { managedSystems, reconConfigs, reconSituations } from '../server/db/schema/index.ts';
import { createApp } from '../server/http/app.ts';
import { createLogger } from '../server/log.ts';
import { buildServices } from '../server/main.ts';

export type WebhookFigure = { database: string; changes: number; seconds: number; liveRuns: number };

const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function benchOn(kind: 'pglite' | 'postgres', count: number): Promise<WebhookFigure> {
  const dir = await mkdtemp(join(tmpdir(), 'trueup-bench-webhook-'));
  const name = `trueup_bw_${randomBytes(5).toString('hex')}`;
  const admin = kind === 'postgres' ? postgres(adminUrl, { max: 1, onnotice: () => {} }) : null;
  let db: Database;
  if (admin) {
    await admin.unsafe(`create database ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    db = await openPostgres(url.toString());
  } else db = await openPglite(undefined);
  await migrateDatabase(db);
  const config = loadConfig({ DATA_DIR: dir, SECRET_KEY: randomBytes(32).toString('hex') });
  const services = buildServices(config, db, createLogger('silent'));
  try {
    const app = createApp(services);
    const file = join(dir, 'accounts.csv');
    await writeFile(file, 'employeeId,name,email\n');
    const secret = randomBytes(24).toString('hex');
    const [system] = await db.orm
      .insert(managedSystems)
      .values({
        name: 'bench-webhook',
        type: 'csv',
        trusted: true,
        uniqueFieldKey: 'employeeId',
        connection: { path: file },
        attributes: ['employeeId', 'name', 'email'],
        encryptedWebhookSecret: services.secrets.seal({ webhookSecret: secret }),
      })
      .returning();
    const systemId = system?.id as string;
    const [recon] = await db.orm
      .insert(reconConfigs)
      .values({ systemId, objectType: 'User', sourceAttributeName: 'employeeId', idmField: 'employeeId' })
      .returning();
    const configId = recon?.id as string;
    await db.orm
      .insert(reconSituations)
      .values({ configId, situation: 'IDM_NOT_EXISTS__RESOURCE_EXISTS', response: 'ADD_TO_IDM' });
    const started = performance.now();
    for (let at = 0; at < count; at += 1000) {
      const changes = Array.from({ length: Math.min(1000, count - at) }, (_, i) => {
        const key = `W${at + i}`;
        return { key, op: 'upsert', attributes: { employeeId: key, name: `Web ${key}`, email: `${key}@x` } };
      });
      const body = JSON.stringify({ changes });
      const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
      const response = await app.request(`/api/systems/${systemId}/changes`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-trueup-signature': signature },
        body,
      });
      if (response.status !== 202)
        throw new Error(`POST answered ${response.status}: ${await response.text()}`);
    }
    for (;;) {
      const [row] = await db.rows<{ pending: number; running: number }>(sql`
        select (select count(*)::int from live_changes where done_at is null) as pending,
               (select count(*)::int from runs where status in ('queued', 'running')) as running`);
      if (row?.pending === 0 && row.running === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const seconds = (performance.now() - started) / 1000;
    const [applied] = await db.rows<{ events: number; runs: number }>(sql`
      select count(distinct e.object_key)::int as events, count(distinct r.id)::int as runs
      from run_events e join runs r on r.id = e.run_id where r.trigger = 'live' and e.outcome = 'applied'`);
    if (applied?.events !== count)
      throw new Error(`only ${applied?.events} of ${count} changes were applied`);
    return { database: kind, changes: count, seconds, liveRuns: applied.runs };
  } finally {
    await services.close();
    if (admin) {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
    await rm(dir, { recursive: true, force: true });
  }
}

export async function benchWebhook(count: number): Promise<WebhookFigure[]> {
  const figures: WebhookFigure[] = [];
  for (const kind of ['pglite', 'postgres'] as const) figures.push(await benchOn(kind, count));
  return figures;
}

export function printWebhookFigures(figures: WebhookFigure[]) {
  process.stdout.write(
    `\n${'webhook (POST → applied event)'.padEnd(34)}${'changes'.padStart(9)}${'seconds'.padStart(10)}${'changes/s'.padStart(12)}${'live runs'.padStart(11)}\n`,
  );
  for (const f of figures) {
    const rate = Math.round(f.changes / f.seconds).toLocaleString('en');
    process.stdout.write(
      `${f.database.padEnd(34)}${String(f.changes).padStart(9)}${f.seconds.toFixed(2).padStart(10)}${rate.padStart(12)}${String(f.liveRuns).padStart(11)}\n`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = process.argv.indexOf('--webhook-count');
  printWebhookFigures(await benchWebhook(arg > 0 ? Number(process.argv[arg + 1]) : 10_000));
}
