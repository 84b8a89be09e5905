/**
 * One timed run through the run service: wall time and peak RSS per phase, of the engine (this
 * process) and of the sandbox workers. A phase starts at the first sign of it, from the service's
 * progress callback or the run row's `phase` (polled every 10 ms on a connection of its own, since
 * some phases report progress only after their first batch); reading starts when the run is asked
 * for. Peak RSS is the kernel's high-water mark (VmHWM), reset at each phase (clear_refs 5).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { eq, sql } from 'drizzle-orm';
import type postgres from 'postgres';
import type { Database } from '../../server/db/client.ts';
import { runs } from '../../server/db/schema/index.ts';
import type { RunMode, RunService } from '../../server/services/runs/types.ts';

export const phaseNames = ['reading', 'planning', 'gating', 'applying', 'finishing'] as const;
export type PhaseName = (typeof phaseNames)[number];

/** Peak RSS in MB: the engine process, and the largest of the sandbox workers (0 without any). */
export type Peaks = { engine: number; worker: number };
export type PhaseFigures = { phase: PhaseName; seconds: number; peaks: Peaks };
export type RunFigures = {
  runId: string;
  mode: RunMode;
  status: string;
  /** Objects considered: one per correlated pair (an account, an IDM-only object, or both). */
  objects: number;
  applied: number;
  events: number;
  seconds: number;
  /** The engine's RSS (MB) when the run was asked for: what the peaks grew from. */
  engineAtStart: number;
  phases: PhaseFigures[];
  peaks: Peaks;
};

const statusOf = (pid: number | 'self') => {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return ''; // a worker that just exited
  }
};
const fieldPattern = { VmHWM: /VmHWM:\s+(\d+) kB/, VmRSS: /VmRSS:\s+(\d+) kB/ };
const statusMb = (pid: number | 'self', field: keyof typeof fieldPattern) =>
  Number(fieldPattern[field].exec(statusOf(pid))?.[1] ?? 0) / 1024;
const highWaterMb = (pid: number | 'self') => statusMb(pid, 'VmHWM');
const resetHighWater = (pid: number | 'self') => {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // gone already
  }
};

export function createPeakMeter(workerPids: () => number[]) {
  return {
    reset() {
      for (const pid of ['self' as const, ...workerPids()]) resetHighWater(pid);
    },
    read(): Peaks {
      return { engine: highWaterMb('self'), worker: Math.max(0, ...workerPids().map(highWaterMb)) };
    },
  };
}
export type PeakMeter = ReturnType<typeof createPeakMeter>;

const maxPeaks = (peaks: Peaks[]): Peaks => ({
  engine: Math.max(0, ...peaks.map((p) => p.engine)),
  worker: Math.max(0, ...peaks.map((p) => p.worker)),
});

export type RunContext = {
  service: RunService;
  db: Database;
  /** A connection of its own, for polling the run's phase. */
  poller: postgres.Sql;
  meter: PeakMeter;
  configId: string;
};

export async function measureRun(context: RunContext, mode: RunMode): Promise<RunFigures> {
  const { service, db, poller, meter } = context;
  const phases: PhaseFigures[] = [];
  let current = 0;
  meter.reset();
  const engineAtStart = statusMb('self', 'VmRSS');
  const started = performance.now();
  let phaseStart = started;
  const enter = (phase: string | null) => {
    const index = phaseNames.indexOf(phase as PhaseName);
    if (index <= current) return;
    const now = performance.now();
    phases.push({ phase: phaseNames[current]!, seconds: (now - phaseStart) / 1000, peaks: meter.read() });
    meter.reset();
    // A phase passed between two samples took no measurable time.
    for (let skipped = current + 1; skipped < index; skipped++)
      phases.push({ phase: phaseNames[skipped]!, seconds: 0, peaks: { engine: 0, worker: 0 } });
    current = index;
    phaseStart = now;
  };
  const outcome = await service.start(
    { configId: context.configId, dryRun: false, mode, trigger: 'cli' },
    (p) => enter(p.phase),
  );
  if (outcome.outcome !== 'started') throw new Error(`run did not start: ${outcome.outcome}`);
  let polling = false;
  const poll = setInterval(async () => {
    if (polling) return;
    polling = true;
    try {
      const [row] = await poller<
        { phase: string | null }[]
      >`select phase from runs where id = ${outcome.runId}`;
      enter(row?.phase ?? null);
    } finally {
      polling = false;
    }
  }, 10);
  try {
    await service.wait(outcome.runId);
  } finally {
    clearInterval(poll);
  }
  const ended = performance.now();
  phases.push({ phase: phaseNames[current]!, seconds: (ended - phaseStart) / 1000, peaks: meter.read() });
  for (let rest = current + 1; rest < phaseNames.length; rest++)
    phases.push({ phase: phaseNames[rest]!, seconds: 0, peaks: { engine: 0, worker: 0 } });

  const [run] = await db.orm.select().from(runs).where(eq(runs.id, outcome.runId));
  const [events] = await db.rows<{ n: number; applied: number }>(
    sql`select count(*)::int as n, (count(*) filter (where outcome = 'applied'))::int as applied
      from run_events where run_id = ${outcome.runId}`,
  );
  const figures: RunFigures = {
    runId: outcome.runId,
    mode,
    status: run?.status ?? 'missing',
    objects: Object.values(run?.counts.situations ?? {}).reduce((a, b) => a + b, 0),
    applied: events?.applied ?? 0,
    events: events?.n ?? 0,
    seconds: (ended - started) / 1000,
    engineAtStart,
    phases,
    peaks: maxPeaks(phases.map((p) => p.peaks)),
  };
  if (run?.status !== 'succeeded') throw new Error(`the ${mode} run ${run?.status}: ${run?.error?.message}`);
  return figures;
}
