import type { Explanation, RunEventDetail } from '../adapters/activity.ts';
import { Coded, responseLabel, situationLabel } from '../components/labels.ts';
import { LogLines } from '../components/log-lines.ts';
import { StatusBadge } from '../components/status.ts';
import { Time } from '../components/time.ts';
import { WhyPanel } from '../components/why-panel.ts';
import type { PageContext } from '../console-env.ts';
import { html } from '../html.ts';
import { Layout } from '../layout.ts';

const shown = (value: unknown) =>
  value === undefined || value === null ? '—' : typeof value === 'string' ? value : JSON.stringify(value);

type PolicyWhere = { policy?: string; line?: number; column?: number; kind?: string };

export function EventPage(props: { page: PageContext; event: RunEventDetail; why: Explanation | null }) {
  const { event } = props;
  const names = [...new Set([...Object.keys(event.before), ...Object.keys(event.after)])].sort();
  const where = (event.error?.policy ?? null) as PolicyWhere | null;
  const output = event.policyOutput as Record<string, unknown> | null;
  return Layout({
    page: props.page,
    title: event.objectKey ?? event.idmObjectId ?? `Event ${event.seq}`,
    children: html`
      <p class="muted"><a href=${`/runs/${event.runId}`}>Back to the run</a></p>
      <dl class="facts panel">
        <dt>Situation</dt><dd><${Coded} label=${situationLabel(event.situation)} code=${event.situation} /></dd>
        <dt>Response</dt><dd><${Coded} label=${responseLabel(event.response)} code=${event.response} /></dd>
        <dt>Outcome</dt><dd><${StatusBadge} status=${event.outcome} /></dd>
        <dt>Account key</dt><dd><code>${event.objectKey ?? '—'}</code></dd>
        <dt>IDM object</dt><dd><code>${event.idmObjectId ?? '—'}</code></dd>
        <dt>Recorded</dt><dd><${Time} at=${event.createdAt} /></dd>
      </dl>
      ${
        event.error
          ? html`<section class="notice notice-bad" aria-labelledby="error-h">
            <h2 id="error-h">Error</h2>
            <p><strong>${event.error.code}</strong>: ${event.error.message}</p>
            ${where?.policy ? html`<p>In policy <a href=${`/policies/edit?path=${encodeURIComponent(where.policy)}`}><code>${where.policy}</code></a>${where.line ? html` at <strong>line ${where.line}</strong>, column ${where.column ?? 0}` : null}${where.kind ? ` (${where.kind} error)` : ''}</p>` : null}
          </section>`
          : null
      }
      <h2>Attributes before and after</h2>
      ${
        names.length === 0
          ? html`<p class="muted">No attribute changes.</p>`
          : html`<div class="table-wrap"><table>
            <thead><tr><th scope="col">Attribute</th><th scope="col">Before</th><th scope="col">After</th></tr></thead>
            <tbody>${names.map(
              (name) => html`<tr><th scope="row"><code>${name}</code></th>
                <td class="diff-before">${shown(event.before[name])}</td><td class="diff-after">${shown(event.after[name])}</td></tr>`,
            )}</tbody></table></div>`
      }
      ${props.why ? html`<${WhyPanel} why=${props.why} />` : null}
      <h2>Action</h2>
      ${event.action ? html`<pre>${JSON.stringify(event.action, null, 2)}</pre>` : html`<p class="muted">No action.</p>`}
      <h2>Policy outputs</h2>
      ${
        output && Object.keys(output).length > 0
          ? Object.entries(output).map(
              ([name, value]) => html`<h3>${name}</h3><pre>${JSON.stringify(value, null, 2)}</pre>`,
            )
          : html`<p class="muted">No policy output.</p>`
      }
      <h2>Log lines</h2>
      <${LogLines} logs=${event.logs} empty="The policies wrote no log lines for this object." />`,
  });
}
