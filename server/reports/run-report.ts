import { and, asc, count, eq, isNotNull, type SQL } from 'drizzle-orm';
import { heldStatuses } from '../core/model.ts';
import type { Database } from '../db/client.ts';
import { managedSystems, reconConfigs, runEvents, runs } from '../db/schema/index.ts';
import { getRun, type RunSummary } from '../store/runs-query.ts';
import { diffLines, errorText } from './event-cells.ts';

/** Changed objects shown in an HTML report; the CSV report has them all. */
export const changedObjectsShown = 1000;
const errorsShown = 200;

export type ReportEvent = {
  seq: number;
  objectKey: string | null;
  idmObjectId: string | null;
  situation: string | null;
  response: string | null;
  outcome: string;
  changes: string[];
  error: string;
};

/** What a run's report and completion mail say, read from the run, its config and its events. */
export type RunReport = {
  run: RunSummary & { scheduledFor: string | null };
  config: {
    id: string | null;
    name: string;
    systemName: string | null;
    reportFormat: 'html' | 'csv';
    notificationEmail: string | null;
    sendDoNothingReport: boolean;
  };
  /** Deletion threshold and source guard: how the run stood at each gate. */
  gates: Array<{ name: string; status: 'passed' | 'stopped' | 'not reached'; detail: string | null }>;
  /** The run's own error (with the policy's file:line when a policy failed it). */
  runError: string | null;
  errors: ReportEvent[];
  errorsTotal: number;
  changed: ReportEvent[];
  changedTotal: number;
  links: { run: string; csv: string; doNothing: string };
};

function toReportEvent(row: typeof runEvents.$inferSelect): ReportEvent {
  return {
    seq: row.seq,
    objectKey: row.objectKey,
    idmObjectId: row.idmObjectId,
    situation: row.situation,
    response: row.response,
    outcome: row.outcome,
    changes: diffLines(row.diff ?? null),
    error: errorText(row.error ?? null),
  };
}

function gatesOf(run: RunSummary): RunReport['gates'] {
  const reached =
    run.status !== 'failed' && run.status !== 'aborted_by_preprocessor' && run.status !== 'skipped';
  const gate = (name: string, stoppedBy: string) =>
    run.status === stoppedBy
      ? { name, status: 'stopped' as const, detail: run.error?.message ?? null }
      : { name, status: reached ? ('passed' as const) : ('not reached' as const), detail: null };
  return [gate('Source guard', 'stopped_by_guard'), gate('Deletion threshold', 'stopped_by_threshold')];
}

async function eventsWhere(db: Database, condition: SQL, limit: number) {
  const [rows, [total]] = await Promise.all([
    db.orm.select().from(runEvents).where(condition).orderBy(asc(runEvents.seq)).limit(limit),
    db.orm.select({ n: count() }).from(runEvents).where(condition),
  ]);
  return { items: rows.map(toReportEvent), total: Number(total?.n ?? 0) };
}

/** The report of one run, or null when there is no such run. `baseUrl` makes the links absolute. */
export async function loadRunReport(db: Database, runId: string, baseUrl: string): Promise<RunReport | null> {
  const summary = await getRun(db, runId);
  if (!summary) return null;
  const [row] = await db.orm
    .select({ scheduledFor: runs.scheduledFor, config: reconConfigs, systemName: managedSystems.name })
    .from(runs)
    .leftJoin(reconConfigs, eq(reconConfigs.id, runs.configId))
    .leftJoin(managedSystems, eq(managedSystems.id, reconConfigs.systemId))
    .where(eq(runs.id, runId));
  const config = row?.config ?? null;
  const [errors, changed] = await Promise.all([
    eventsWhere(db, and(eq(runEvents.runId, runId), isNotNull(runEvents.error))!, errorsShown),
    eventsWhere(db, and(eq(runEvents.runId, runId), isNotNull(runEvents.diff))!, changedObjectsShown),
  ]);
  // The console's run page and downloads: a person opens these in a signed-in browser, where the
  // API's `/api/runs/…` would answer 401 JSON.
  const runUrl = `${baseUrl}/runs/${encodeURIComponent(runId)}`;
  return {
    run: { ...summary, scheduledFor: row?.scheduledFor?.toISOString() ?? null },
    config: {
      id: config?.id ?? summary.configId,
      name: config?.name || config?.id || summary.configId || '(deleted config)',
      systemName: row?.systemName ?? null,
      reportFormat: config?.reportFormat ?? 'html',
      notificationEmail: config?.notificationEmail ?? null,
      sendDoNothingReport: config?.sendDoNothingReport ?? false,
    },
    gates: gatesOf(summary),
    runError: summary.error ? errorText({ ...summary.error, policy: summary.error.details }) : null,
    errors: errors.items,
    errorsTotal: errors.total,
    // Only diffs with an actual change count: an empty diff object changes nothing.
    changed: changed.items.filter((e) => e.changes.length > 0),
    changedTotal: changed.total,
    links: {
      run: runUrl,
      csv: `${runUrl}/report?format=csv`,
      doNothing: `${runUrl}/do-nothing.csv`,
    },
  };
}

/**
 * What a run wrote, beside what it decided (its responses): per response the actions applied,
 * then the links recorded, the responses that would have changed nothing, and the actions
 * skipped. A dry run writes nothing: its responses are its plan.
 */
export function writtenCounts(run: Pick<RunReport['run'], 'counts' | 'dryRun'>): Array<[string, number]> {
  if (run.dryRun) return [];
  const { applied = {}, linked = 0, unchanged = 0, skipped = 0 } = run.counts;
  return [
    ...Object.entries(applied)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([response, n]): [string, number] => [`${response} applied`, n]),
    ['linked only', linked],
    ['unchanged (nothing to write)', unchanged],
    ['skipped', skipped],
  ];
}

/** "3 UPDATE_RESOURCE_FROM_IDM applied, 29 unchanged, 1 error": the key counts for a subject line. */
export function keyCounts(report: RunReport): string {
  const { run } = report;
  const { responses, errors, applied = {}, unchanged = 0 } = run.counts;
  // A dry run and a held run wrote nothing: their counts are what the plan would do.
  const planned = run.dryRun || heldStatuses.has(run.status);
  const [counted, verb] = planned ? [responses, 'planned'] : [applied, 'applied'];
  const parts = Object.entries(counted)
    .filter(([response]) => response !== 'DO_NOTHING')
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([response, n]) => `${n} ${response} ${verb}`);
  if (!planned && unchanged > 0) parts.push(`${unchanged} unchanged`);
  parts.push(`${errors} error${errors === 1 ? '' : 's'}`);
  return parts.join(', ');
}

export function durationText(ms: number | null): string {
  if (ms === null) return '—';
  return ms < 1000
    ? `${ms} ms`
    : ms < 120_000
      ? `${(ms / 1000).toFixed(1)} s`
      : `${Math.round(ms / 60_000)} min`;
}
