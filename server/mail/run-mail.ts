import { Readable } from 'node:stream';
import { escapeHtml, summaryHtml } from '../reports/html-report.ts';
import type { RenderedReport } from '../reports/render-report.ts';
import { durationText, keyCounts, type RunReport, writtenCounts } from '../reports/run-report.ts';
import type { MailMessage } from './mailer.ts';

const attach = (report: RenderedReport) => ({
  filename: report.filename,
  contentType: report.contentType,
  content: Readable.from(report.chunks()),
});

/** The plain-text body: the same facts as the HTML, for clients that show text only. */
function summaryText(report: RunReport, message: string | null): string {
  const { run, config } = report;
  const lines = [
    `${config.name}: run ${run.status}`,
    ...(message ? ['', message] : []),
    ...(report.runError ? ['', report.runError] : []),
    '',
    `Run:        ${run.id}`,
    `Trigger:    ${run.trigger}${run.dryRun ? ', dry run' : ''}, ${run.mode}`,
    `Started:    ${run.startedAt ?? '—'}`,
    `Finished:   ${run.finishedAt ?? '—'}`,
    `Duration:   ${durationText(run.durationMs)}`,
    `Throughput: ${run.throughput === null ? '—' : `${run.throughput.toFixed(1)} objects/s`}`,
    `Errors:     ${run.counts.errors}`,
    '',
    'Situations:',
    ...Object.entries(run.counts.situations).map(([s, n]) => `  ${s}: ${n}`),
    'Responses (decided):',
    ...Object.entries(run.counts.responses).map(([r, n]) => `  ${r}: ${n}`),
    ...(run.dryRun ? [] : ['Written:', ...writtenCounts(run).map(([what, n]) => `  ${what}: ${n}`)]),
    'Gates:',
    ...report.gates.map((g) => `  ${g.name}: ${g.status}${g.detail ? ` (${g.detail})` : ''}`),
  ];
  if (report.errors.length > 0) {
    lines.push(`Errors (${report.errorsTotal}):`);
    for (const e of report.errors) lines.push(`  ${e.objectKey ?? '(no key)'}: ${e.error}`);
  }
  lines.push('', report.links.run, '');
  return lines.join('\n');
}

/** docs/api.md "Mail and reports": subject with the config, status and key counts; both bodies; the report attached. */
export function completionMail(
  report: RunReport,
  attachment: RenderedReport,
  to: string[],
  message: string | null,
): MailMessage {
  const { run, config } = report;
  const subject = `[trueup] ${config.name}: ${run.status}${run.dryRun ? ' (dry run)' : ''} — ${keyCounts(report)}`;
  const html = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"></head><body style="font-family:Segoe UI,Helvetica,Arial,sans-serif;font-size:14px;color:#1f2328;margin:16px">
${summaryHtml(report, message)}
<p style="margin:12px 0;color:#6e7781">The full report is attached (${attachment.filename}).</p>
</body></html>`;
  return { to, subject, text: summaryText(report, message), html, attachments: [attach(attachment)] };
}

/** The second mail of a config with `sendDoNothingReport`: its DO_NOTHING objects as CSV. */
export function doNothingMail(report: RunReport, attachment: RenderedReport, to: string[]): MailMessage {
  const { run, config } = report;
  const objects = run.counts.responses.DO_NOTHING ?? 0;
  const subject = `[trueup] ${config.name}: ${objects} DO_NOTHING object${objects === 1 ? '' : 's'} in run ${run.id}`;
  const text = `${config.name}: ${objects} objects needed nothing in run ${run.id} (${run.status}).\nThe list is attached (${attachment.filename}).\n\n${report.links.run}\n`;
  const html = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"></head><body style="font-family:Segoe UI,Helvetica,Arial,sans-serif;font-size:14px;margin:16px">
<p>${escapeHtml(config.name)}: <b>${objects}</b> objects needed nothing in run ${escapeHtml(run.id)} (${escapeHtml(run.status)}).</p>
<p>The list is attached (${escapeHtml(attachment.filename)}).</p>
<p><a href="${escapeHtml(report.links.run)}">${escapeHtml(report.links.run)}</a></p>
</body></html>`;
  return { to, subject, text, html, attachments: [attach(attachment)] };
}
