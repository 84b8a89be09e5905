import type { RunEventSummary } from '../../store/events-query.ts';
import type { RunSummary } from '../../store/runs-query.ts';

/** The listing of a plan's or an apply run's events that `plan` and `apply` print (at most `shown`). */
export type EventPage = { items: RunEventSummary[]; more: boolean };

export const shownEvents = 50;

export function formatEvents(title: string, page: EventPage): string {
  if (page.items.length === 0) return '';
  const lines = page.items.map((e) =>
    [
      `  ${e.response ?? '-'}`,
      e.objectKey ?? '-',
      e.idmObjectId ? `idm:${e.idmObjectId}` : '',
      e.error ? `— ${e.error.message}` : '',
    ]
      .filter(Boolean)
      .join('  '),
  );
  if (page.more) lines.push(`  … (more: trueup events <runId>)`);
  return `${title}:\n${lines.join('\n')}\n`;
}

/** A run summary as `formatSummary` takes it (dates as dates). */
export function localSummary(run: RunSummary) {
  return {
    ...run,
    startedAt: run.startedAt ? new Date(run.startedAt) : null,
    finishedAt: run.finishedAt ? new Date(run.finishedAt) : null,
    error: run.error ?? null,
  };
}
