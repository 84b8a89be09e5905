import {
  changedObjectsShown,
  durationText,
  type ReportEvent,
  type RunReport,
  writtenCounts,
} from './run-report.ts';

/** Text for HTML: every character that could open markup or an attribute is escaped. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

const font = 'font-family:Segoe UI,Helvetica,Arial,sans-serif;font-size:14px;color:#1f2328';
const th = 'text-align:left;padding:4px 8px;border-bottom:2px solid #d0d7de;background:#f6f8fa';
const td = 'padding:4px 8px;border-bottom:1px solid #d8dee4;vertical-align:top';
const h2 = 'font-size:16px;margin:20px 0 8px';
const statusColor: Record<string, string> = {
  succeeded: '#1a7f37',
  succeeded_with_errors: '#cf222e',
  failed: '#cf222e',
  skipped: '#6e7781',
};

function table(headers: string[], rows: string[][]): string {
  if (rows.length === 0) return '<p style="margin:4px 0;color:#6e7781">none</p>';
  const head = headers.map((h) => `<th style="${th}">${escapeHtml(h)}</th>`).join('');
  const body = rows
    .map((cells) => `<tr>${cells.map((c) => `<td style="${td}">${c}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table cellpadding="0" cellspacing="0" style="border-collapse:collapse;margin:4px 0">\n<tr>${head}</tr>\n${body}\n</table>`;
}

const cell = (text: string | null) => escapeHtml(text ?? '');
const counts = (values: Record<string, number>) =>
  Object.entries(values)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, n]) => [cell(name), cell(String(n))]);

function eventRows(events: ReportEvent[], withChanges: boolean): string[][] {
  return events.map((e) => [
    cell(e.objectKey),
    cell(e.idmObjectId),
    cell(e.situation),
    cell(e.response),
    cell(e.outcome),
    withChanges ? e.changes.map(escapeHtml).join('<br>') : cell(e.error),
  ]);
}

/** The summary block: shared by the HTML report and the completion mail's HTML body. */
export function summaryHtml(report: RunReport, extraLine: string | null = null): string {
  const { run, config } = report;
  const color = statusColor[run.status] ?? '#9a6700';
  const facts: Array<[string, string]> = [
    ['Config', `${config.name}${config.systemName ? ` (${config.systemName})` : ''}`],
    ['Run', run.id],
    ['Trigger', `${run.trigger}${run.dryRun ? ', dry run' : ''}, ${run.mode}`],
    ['Started', run.startedAt ?? '—'],
    ['Finished', run.finishedAt ?? '—'],
    ['Duration', durationText(run.durationMs)],
    ['Throughput', run.throughput === null ? '—' : `${run.throughput.toFixed(1)} objects/s`],
    ['Errors', String(run.counts.errors)],
  ];
  const factRows = facts
    .map(
      ([k, v]) =>
        `<tr><td style="${td};color:#6e7781">${escapeHtml(k)}</td><td style="${td}">${escapeHtml(v)}</td></tr>`,
    )
    .join('\n');
  const gateRows = report.gates.map((g) => [cell(g.name), cell(g.status), cell(g.detail)]);
  return [
    `<p style="margin:0 0 8px;font-size:18px">Run <b style="color:${color}">${escapeHtml(run.status)}</b></p>`,
    extraLine ? `<p style="margin:0 0 8px;padding:8px;background:#fff8c5">${escapeHtml(extraLine)}</p>` : '',
    report.runError ? `<p style="margin:0 0 8px;color:#cf222e">${escapeHtml(report.runError)}</p>` : '',
    `<table cellpadding="0" cellspacing="0" style="border-collapse:collapse">\n${factRows}\n</table>`,
    `<h2 style="${h2}">Situations</h2>`,
    table(['situation', 'objects'], counts(run.counts.situations)),
    `<h2 style="${h2}">Responses</h2>`,
    table(['response', 'objects'], counts(run.counts.responses)),
    ...(run.dryRun
      ? []
      : [
          `<h2 style="${h2}">Written</h2>`,
          table(
            ['what', 'objects'],
            writtenCounts(run).map(([what, n]) => [cell(what), cell(String(n))]),
          ),
        ]),
    `<h2 style="${h2}">Gates</h2>`,
    table(['gate', 'status', 'detail'], gateRows),
    `<h2 style="${h2}">Errors (${report.errorsTotal})</h2>`,
    table(
      ['object key', 'IDM id', 'situation', 'response', 'outcome', 'error'],
      eventRows(report.errors, false),
    ),
    `<p style="margin:12px 0"><a href="${escapeHtml(report.links.run)}">${escapeHtml(report.links.run)}</a></p>`,
  ]
    .filter(Boolean)
    .join('\n');
}

/**
 * The run's report as one self-contained HTML page a mail client shows as it is: inline styles,
 * no scripts, no outside assets. Changed objects are listed up to a limit, with a link to all.
 */
export function renderHtmlReport(report: RunReport): string {
  const more =
    report.changedTotal > report.changed.length
      ? `<p style="margin:4px 0">The first ${changedObjectsShown} of ${report.changedTotal} changed objects are shown; <a href="${escapeHtml(report.links.csv)}">all of them as CSV</a>.</p>`
      : '';
  const title = `trueup run ${report.run.id}: ${report.config.name} ${report.run.status}`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body style="${font};margin:16px">
<h1 style="font-size:20px;margin:0 0 12px">${escapeHtml(report.config.name)}: reconciliation report</h1>
${summaryHtml(report)}
<h2 style="${h2}">Changed objects (${report.changedTotal})</h2>
${table(['object key', 'IDM id', 'situation', 'response', 'outcome', 'changed attributes'], eventRows(report.changed, true))}
${more}
</body></html>
`;
}
