import { and, desc, eq, isNotNull } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { reconConfigs, runs } from '../../db/schema/index.ts';
import { insertSkippedTick, runOfTick } from '../../store/runs.ts';
import type { RunService } from '../runs/types.ts';
import { nextTickOf } from './frequency.ts';

/**
 * What became of one schedule tick of one config. The database decides, whichever server fires
 * first: `runs_one_per_tick` admits one row per (config, tick), `runs_one_active_per_config` one
 * queued or running run per config.
 */
export type TickOutcome =
  | { outcome: 'started'; runId: string }
  /** The previous run was still going: a `skipped` run records the tick. */
  | { outcome: 'skipped'; runId: string; runningRunId: string | null }
  /** Another server already took this tick (its run, or its skipped record). */
  | { outcome: 'taken'; runId: string }
  | { outcome: 'config_gone' };

/** Starts the run of a tick, or records that the tick was skipped; a second server gets `taken`. */
export async function fireScheduledTick(
  deps: { db: Database; runs: Pick<RunService, 'start'> },
  configId: string,
  tick: Date,
): Promise<TickOutcome> {
  const { db } = deps;
  const started = await deps.runs.start({
    configId,
    dryRun: false,
    mode: 'full',
    trigger: 'schedule',
    startedBy: 'schedule',
    scheduledFor: tick,
  });
  switch (started.outcome) {
    case 'started':
      return { outcome: 'started', runId: started.runId };
    case 'config_not_found':
    case 'config_inactive':
      return { outcome: 'config_gone' };
    case 'already_running': {
      const taken = await runOfTick(db, configId, tick);
      if (taken) return { outcome: 'taken', runId: taken };
      const runningRunId = started.runId || null;
      const skipped = await insertSkippedTick(db, { configId, at: tick, runningRunId });
      if (skipped) return { outcome: 'skipped', runId: skipped, runningRunId };
      return { outcome: 'taken', runId: (await runOfTick(db, configId, tick)) ?? '' };
    }
  }
}

/** A row of `GET /api/schedules`. */
export type ScheduleView = {
  configId: string;
  name: string | null;
  frequency: string;
  timezone: string;
  nextRunAt: string | null;
  lastRunId: string | null;
};

/** Every active config with a frequency: its next tick and its last scheduled (or skipped) run. */
export async function listSchedules(db: Database): Promise<ScheduleView[]> {
  const configs = await db.orm
    .select({
      id: reconConfigs.id,
      name: reconConfigs.name,
      frequency: reconConfigs.frequency,
      timezone: reconConfigs.timezone,
    })
    .from(reconConfigs)
    .where(and(eq(reconConfigs.status, 'active'), isNotNull(reconConfigs.frequency)))
    .orderBy(reconConfigs.id);
  const views: ScheduleView[] = [];
  for (const config of configs) {
    const [last] = await db.orm
      .select({ id: runs.id })
      .from(runs)
      .where(and(eq(runs.configId, config.id), eq(runs.trigger, 'schedule')))
      .orderBy(desc(runs.createdAt))
      .limit(1);
    views.push({
      configId: config.id,
      name: config.name,
      frequency: config.frequency as string,
      timezone: config.timezone,
      nextRunAt: nextTickOf(config.frequency as string, config.timezone)?.toISOString() ?? null,
      lastRunId: last?.id ?? null,
    });
  }
  return views;
}

/** The schedules use cases the surfaces call. */
export function createScheduleService({ db }: { db: Database }) {
  return { list: () => listSchedules(db) };
}
export type ScheduleService = ReturnType<typeof createScheduleService>;
