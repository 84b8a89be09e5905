import { eq } from 'drizzle-orm';
import { type ScheduledTask, schedule } from 'node-cron';
import type { Database } from '../db/client.ts';
import { reconConfigs } from '../db/schema/index.ts';
import type { RunService } from '../services/runs/types.ts';
import { cronPatternOf } from '../services/schedules/frequency.ts';
import { fireScheduledTick } from '../services/schedules/schedule-service.ts';

export type SchedulerOptions = {
  db: Database;
  runs: Pick<RunService, 'start' | 'resumeInterrupted'>;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  /** How often to re-read the configs, for schedules another server changed. */
  syncMs: number;
  /** How often to look for runs whose server died (half the staleness window is enough). */
  takeoverMs: number;
};

export interface Scheduler {
  /** Schedules every active config with a frequency, and starts the re-read and takeover loops. */
  start(): Promise<void>;
  /** A config was created, changed, deactivated or deleted here: reschedule it now. */
  configChanged(configId: string): Promise<void>;
  stop(): Promise<void>;
}

type Entry = { task: ScheduledTask; key: string };
type ConfigSchedule = { id: string; frequency: string | null; timezone: string; status: string };

/**
 * node-cron fires each config's ticks in its own time zone; every server sharing the database
 * fires them all, and `fireScheduledTick` lets the database pick the one run per tick.
 */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const { db, log } = options;
  const entries = new Map<string, Entry>();
  const ticks = new Set<Promise<unknown>>();
  const timers: NodeJS.Timeout[] = [];
  let running = false;

  async function onTick(configId: string, date: Date) {
    const tick = new Date(Math.floor(date.getTime() / 1000) * 1000);
    try {
      const result = await fireScheduledTick({ db, runs: options.runs }, configId, tick);
      switch (result.outcome) {
        case 'started':
          log.info({ configId, tick, runId: result.runId }, `scheduled run ${result.runId} of ${configId}`);
          return;
        case 'skipped':
          log.warn(
            { configId, tick, runId: result.runId, runningRunId: result.runningRunId },
            `skipped the tick of ${configId}: the previous run is still going`,
          );
          return;
        case 'taken':
          return;
        case 'config_gone':
          await apply(configId, null);
          return;
      }
    } catch (error) {
      log.warn({ configId, tick, error: String(error) }, 'a schedule tick failed');
    }
  }

  function unschedule(configId: string) {
    const entry = entries.get(configId);
    if (!entry) return;
    entry.task.destroy();
    entries.delete(configId);
  }

  /** Makes this server's task for one config match its stored row (null: gone). */
  async function apply(configId: string, row: ConfigSchedule | null) {
    if (row?.status !== 'active' || !row.frequency) return unschedule(configId);
    const pattern = cronPatternOf(row.frequency);
    const key = `${pattern}|${row.timezone}`;
    if (entries.get(configId)?.key === key) return;
    unschedule(configId);
    const task = schedule(
      pattern,
      (context) => {
        const fired = onTick(configId, context.date);
        ticks.add(fired);
        return fired.finally(() => ticks.delete(fired));
      },
      { timezone: row.timezone, name: `recon-config-${configId}` },
    );
    entries.set(configId, { task, key });
  }

  const columns = {
    id: reconConfigs.id,
    frequency: reconConfigs.frequency,
    timezone: reconConfigs.timezone,
    status: reconConfigs.status,
  };

  async function sync() {
    const rows = await db.orm.select(columns).from(reconConfigs);
    const seen = new Set(rows.map((r) => r.id));
    for (const configId of entries.keys()) if (!seen.has(configId)) unschedule(configId);
    for (const row of rows) await apply(row.id, row);
  }

  function every(ms: number, work: () => Promise<unknown>, what: string) {
    const timer = setInterval(() => {
      work().catch((error) => log.warn({ error: String(error) }, `${what} failed`));
    }, ms);
    timer.unref();
    timers.push(timer);
  }

  return {
    async start() {
      running = true;
      await sync();
      every(options.syncMs, sync, 're-reading the schedules');
      every(options.takeoverMs, () => options.runs.resumeInterrupted(), 'taking over orphaned runs');
      log.info({ schedules: entries.size }, `scheduler started with ${entries.size} schedule(s)`);
    },
    async configChanged(configId) {
      if (!running) return;
      const [row] = await db.orm.select(columns).from(reconConfigs).where(eq(reconConfigs.id, configId));
      await apply(configId, row ?? null);
    },
    async stop() {
      running = false;
      for (const timer of timers.splice(0)) clearInterval(timer);
      for (const configId of [...entries.keys()]) unschedule(configId);
      await Promise.allSettled([...ticks]);
    },
  };
}
