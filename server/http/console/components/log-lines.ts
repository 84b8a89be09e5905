import { html } from '../html.ts';

/** One line a policy logged, as a sample run returns it or a run's event keeps it. */
export type LogLine = {
  policy?: string | null;
  level: string;
  message: string;
  file?: string | null;
  line?: number | null;
  column?: number | null;
};

/** "hr/population.ts line 4, column 3": where in the policy's own file the line was logged. */
function where(log: LogLine): string {
  const file = log.file ?? log.policy ?? '';
  if (!log.line) return file;
  return `${file} line ${log.line}${log.column ? `, column ${log.column}` : ''}`.trim();
}

/** The lines policies logged, each with its level and its place in the policy's source. */
export function LogLines(props: { logs: LogLine[]; empty: string }) {
  if (props.logs.length === 0) return html`<p class="muted">${props.empty}</p>`;
  return html`<ol class="diagnostics log-lines">${props.logs.map(
    (log) =>
      html`<li><code>${log.level}</code> ${where(log) ? html`<strong>${where(log)}</strong>: ` : null}${log.message}</li>`,
  )}</ol>`;
}
