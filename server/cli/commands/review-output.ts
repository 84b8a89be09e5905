import type { RunEventSummary } from '../../activity/events-query.ts';

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
