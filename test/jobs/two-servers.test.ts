import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.ts';
import { type RunningServer, startServer, tempDataDir } from '../helpers/server.ts';

/**
 * Two real `trueup serve` processes on one PostgreSQL, both scheduling every config: the
 * database, not a process, picks the one run of each tick; a killed server's run is taken over.
 */
describe.runIf(inject('postgres'))('two servers sharing one PostgreSQL', () => {
  let db: TestDatabase;
  const servers: RunningServer[] = [];
  let token = '';
  const secretKey = randomBytes(32).toString('hex');

  const start = async () => {
    const dataDir = tempDataDir();
    const server = await startServer({
      DATABASE_URL: db.url!,
      DATA_DIR: dataDir,
      SECRET_KEY: secretKey,
      SCHEDULE_SYNC_MS: '500',
      RUN_STALE_MS: '2000',
    });
    servers.push(server);
    if (!token) token = readFileSync(path.join(dataDir, 'admin.token'), 'utf8').trim();
    return server;
  };
  const api = async (server: RunningServer, method: string, route: string, body?: unknown) => {
    const response = await fetch(`${server.url}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    await start();
    await start();
  }, 120_000);
  afterAll(async () => {
    await Promise.all(servers.map((s) => (s.process.exitCode === null ? s.stop() : null)));
    await db?.close();
  });

  it('makes exactly one run per tick of a */5 seconds schedule over a minute', async () => {
    const [one, two] = servers as [RunningServer, RunningServer];
    const dir = tempDataDir();
    const file = path.join(dir, 'accounts.csv');
    writeFileSync(file, 'employeeId,name\nE1,Ann\nE2,Bob\n');
    const system = await api(one, 'POST', '/api/systems', {
      name: 'two-servers',
      type: 'csv',
      trusted: true,
      uniqueFieldKey: 'employeeId',
      connection: { path: file },
    });
    const config = await api(one, 'POST', `/api/systems/${system.id}/recon-configs`, {
      objectType: 'User',
      frequency: '*/5 * * * * *',
      sourceAttributeName: 'employeeId',
      idmField: 'employeeId',
    });
    const schedules = await api(two, 'GET', '/api/schedules');
    expect(schedules.items).toContainEqual(
      expect.objectContaining({ configId: config.id, frequency: '*/5 * * * * *', timezone: 'UTC' }),
    );
    await new Promise((resolve) => setTimeout(resolve, 62_000));
    await api(two, 'PATCH', `/api/recon-configs/${config.id}`, { status: 'inactive' });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const ticks = await db.rows<{ tick: string; n: number; statuses: string; owners: string }>(sql`
      select scheduled_for::text as tick, count(*)::int as n, string_agg(status, ',') as statuses,
             string_agg(coalesce(owner, ''), ',') as owners
      from runs where config_id = ${config.id} group by scheduled_for order by scheduled_for`);
    // 62 s of a 5 s schedule: at least 11 ticks, each with exactly one run.
    expect(ticks.length).toBeGreaterThanOrEqual(11);
    for (const tick of ticks) expect(tick, `tick ${tick.tick}`).toMatchObject({ n: 1 });
    expect(ticks.every((t) => t.statuses === 'succeeded' || t.statuses === 'skipped')).toBe(true);
    const unscheduled = await db.rows<{ n: number }>(
      sql`select count(*)::int as n from runs where config_id = ${config.id} and scheduled_for is null`,
    );
    expect(unscheduled[0]!.n).toBe(0);
  }, 120_000);

  it('takes over the run of a server killed with SIGKILL', async () => {
    // A slow source: every read of this view sleeps 3 s in PostgreSQL.
    await db.rows(sql.raw(`create table slow_src (id text primary key, name text)`));
    await db.rows(sql.raw(`insert into slow_src values ('E1', 'Ann'), ('E2', 'Bob')`));
    await db.rows(
      sql.raw(`create view slow_people as select s.id, s.name from slow_src s, pg_sleep(3) as p`),
    );
    const url = new URL(db.url!);
    const victim = await start();
    const survivor = servers[1]!;
    const system = await api(victim, 'POST', '/api/systems', {
      name: 'slow-sql',
      type: 'sql',
      trusted: true,
      uniqueFieldKey: 'id',
      connection: {
        dialect: 'postgres',
        host: url.hostname,
        port: Number(url.port || 5432),
        database: url.pathname.slice(1),
        user: url.username,
        table: 'slow_people',
      },
    });
    const config = await api(victim, 'POST', `/api/systems/${system.id}/recon-configs`, {
      objectType: 'User',
      sourceAttributeName: 'id',
      idmField: 'employeeId',
      situations: { IDM_NOT_EXISTS__RESOURCE_EXISTS: { response: 'ADD_TO_IDM' } },
    });
    const { runId } = await api(victim, 'POST', `/api/recon-configs/${config.id}/runs`, {});
    const ownerOf = async () =>
      (
        await db.rows<{ owner: string; status: string }>(
          sql`select owner, status from runs where id = ${runId}`,
        )
      )[0]!;
    // The process executing the run (the launcher's child): SIGKILL it mid-read.
    const victimPid = Number((await ownerOf()).owner.split(':')[1]);
    const exited = new Promise((resolve) => victim.process.once('exit', resolve));
    process.kill(victimPid, 'SIGKILL');
    await exited;

    const deadline = Date.now() + 60_000;
    let row = await ownerOf();
    while (row.status === 'running' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      row = await ownerOf();
    }
    expect(row.status).toBe('succeeded');
    expect(row.owner).not.toMatch(new RegExp(`:${victimPid}$`));
    const run = await api(survivor, 'GET', `/api/runs/${runId}`);
    expect(run.counts.situations).toEqual({ IDM_NOT_EXISTS__RESOURCE_EXISTS: 2 });
  }, 120_000);
});
