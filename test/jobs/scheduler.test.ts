import { hostname } from 'node:os';
import { and, eq, sql } from 'drizzle-orm';
import { afterEach, expect, it } from 'vitest';
import { reconConfigs, runs } from '../../server/db/schema/index.ts';
import { createScheduler, type Scheduler } from '../../server/jobs/scheduler.ts';
import { fireScheduledTick, listSchedules } from '../../server/services/schedules/schedule-service.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { createCsvSystem, runServiceFor } from '../runs/recon-fixture.ts';

const csv = 'employeeId,name,email\nE1,Ann One,ann@x\n';
const silent = { info: () => {}, warn: () => {} };

async function until<T>(probe: () => Promise<T | null | undefined | false>, what: string, ms = 25_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describeEachDatabase('the scheduler', (db) => {
  let scheduler: Scheduler | undefined;
  afterEach(async () => {
    await scheduler?.stop();
    scheduler = undefined;
  });

  it('runs a config on a */5 seconds cron, one run per tick, on the tick', async () => {
    const { configId } = await createCsvSystem(db(), csv, {
      config: { frequency: '*/5 * * * * *', timezone: 'Europe/Paris' },
    });
    const service = runServiceFor(db());
    scheduler = createScheduler({ db: db(), runs: service, log: silent, syncMs: 60_000, takeoverMs: 60_000 });
    await scheduler.start();
    const scheduled = await until(async () => {
      const rows = await db()
        .orm.select()
        .from(runs)
        .where(and(eq(runs.configId, configId), eq(runs.status, 'succeeded')));
      return rows.length >= 2 && rows;
    }, 'two scheduled runs');
    await scheduler.stop();
    await service.drain();
    for (const run of scheduled) {
      expect(run.trigger).toBe('schedule');
      expect(run.startedBy).toBe('schedule');
      expect(run.scheduledFor).toBeInstanceOf(Date);
      expect(run.scheduledFor!.getTime() % 5000).toBe(0);
    }
    const ticks = new Set(scheduled.map((r) => r.scheduledFor!.getTime()));
    expect(ticks.size).toBe(scheduled.length);
  });

  it('reschedules at once when a config gets a frequency or is deactivated', async () => {
    const { configId } = await createCsvSystem(db(), csv, { config: { frequency: null } });
    const service = runServiceFor(db());
    scheduler = createScheduler({ db: db(), runs: service, log: silent, syncMs: 60_000, takeoverMs: 60_000 });
    await scheduler.start();
    const count = async () =>
      (await db().orm.select({ id: runs.id }).from(runs).where(eq(runs.configId, configId))).length;
    expect(await count()).toBe(0);

    await db()
      .orm.update(reconConfigs)
      .set({ frequency: '* * * * * *' })
      .where(eq(reconConfigs.id, configId));
    await scheduler.configChanged(configId);
    await until(async () => (await count()) >= 1, 'a run after the config got a frequency');

    await db().orm.update(reconConfigs).set({ status: 'inactive' }).where(eq(reconConfigs.id, configId));
    await scheduler.configChanged(configId);
    await service.drain();
    const afterDeactivation = await count();
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await service.drain();
    expect(await count()).toBe(afterDeactivation);
    expect((await listSchedules(db())).map((s) => s.configId)).not.toContain(configId);
  });

  it('records a skipped run when the previous run is still going, once per tick', async () => {
    const { configId } = await createCsvSystem(db(), csv, { config: { frequency: 'every5m' } });
    // A run of this very process, still beating: the tick must not start another.
    const [going] = await db()
      .orm.insert(runs)
      .values({
        configId,
        status: 'running',
        trigger: 'api',
        startedAt: new Date(),
        heartbeatAt: new Date(),
        owner: `${hostname()}:${process.pid}`,
      })
      .returning();
    const tick = new Date(Date.UTC(2026, 0, 1, 10, 5, 0));
    const one = runServiceFor(db());
    const two = runServiceFor(db());
    const [a, b] = await Promise.all([
      fireScheduledTick({ db: db(), runs: one }, configId, tick),
      fireScheduledTick({ db: db(), runs: two }, configId, tick),
    ]);
    const outcomes = [a.outcome, b.outcome].sort();
    expect(outcomes).toEqual(['skipped', 'taken']);
    const skipped = await db()
      .orm.select()
      .from(runs)
      .where(and(eq(runs.configId, configId), eq(runs.scheduledFor, tick)));
    expect(skipped).toHaveLength(1);
    expect(skipped[0]!.status).toBe('skipped');
    expect(skipped[0]!.error).toMatchObject({ code: 'already_running', details: { runId: going!.id } });

    const [schedule] = (await listSchedules(db())).filter((s) => s.configId === configId);
    expect(schedule).toMatchObject({ frequency: 'every5m', timezone: 'UTC', lastRunId: skipped[0]!.id });
    expect(Date.parse(schedule!.nextRunAt!) % 300_000).toBe(0);
    await db().orm.update(runs).set({ status: 'cancelled' }).where(eq(runs.id, going!.id));
  });

  it('starts one run when two servers fire the same tick', async () => {
    const { configId } = await createCsvSystem(db(), csv, { config: { frequency: 'hourly' } });
    const services = [runServiceFor(db()), runServiceFor(db()), runServiceFor(db())];
    const tick = new Date(Date.UTC(2026, 0, 1, 11, 0, 0));
    const results = await Promise.all(
      services.map((s) => fireScheduledTick({ db: db(), runs: s }, configId, tick)),
    );
    await Promise.all(services.map((s) => s.drain()));
    expect(results.filter((r) => r.outcome === 'started')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'taken')).toHaveLength(2);
    const [{ n }] = (await db().rows<{ n: number }>(
      sql`select count(*)::int as n from runs where config_id = ${configId}`,
    )) as [{ n: number }];
    expect(n).toBe(1);
  });
});
