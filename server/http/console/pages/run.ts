import { eventOutcomes, heldStatuses, responses, situations } from '../../../core/model.ts';
import type { LiveProgress, RunEventSummary, RunNotification, RunSummary } from '../adapters/activity.ts';
import type { ConfigView } from '../adapters/configs.ts';
import { PostButton, SelectField } from '../components/fields.ts';
import { Coded, codedOption, responseLabel, situationLabel } from '../components/labels.ts';
import { StatusBadge } from '../components/status.ts';
import { formatDuration, Time } from '../components/time.ts';
import type { PageContext } from '../console-env.ts';
import { html } from '../html.ts';
import { Layout } from '../layout.ts';
import { configLabel } from './runs.ts';

export type EventsFilter = {
  situation?: string | undefined;
  response?: string | undefined;
  outcome?: string | undefined;
};

function Counts(props: {
  title: string;
  counts: Record<string, number>;
  label: (code: string) => string | null;
}) {
  const entries = Object.entries(props.counts).sort(([a], [b]) => a.localeCompare(b));
  return html`<section aria-label=${props.title}>
    <h3>${props.title}</h3>
    ${
      entries.length === 0
        ? html`<p class="muted">none</p>`
        : html`<ul class="counts">${entries.map(([k, n]) => html`<li><span class="n">${n}</span><span class="k"><${Coded} label=${props.label(k)} code=${k} /></span></li>`)}</ul>`
    }
  </section>`;
}

/** A running run's cancel button, or what became of the request (docs/api.md `POST /api/runs/:id/cancel`). */
function Cancel(props: { run: RunSummary; page: PageContext }) {
  const { run, page } = props;
  if (run.cancelRequestedAt) {
    return html`<p role="status">Cancel requested by <strong>${run.cancelledBy ?? 'someone'}</strong>: the run stops at its next batch boundary; what it applied stays applied and journaled.</p>`;
  }
  if (!page.can('cancelRuns')) return null;
  return html`<p class="actions"><${PostButton} action=${`/runs/${run.id}/cancel`} csrf=${page.csrf} label="Cancel run" kind="danger"
    confirm="Cancel this run? It stops at its next batch boundary; what it applied stays applied." /></p>`;
}

function Progress(props: { run: RunSummary; progress: LiveProgress | null; page: PageContext }) {
  const p = props.progress;
  return html`<section class="panel" aria-labelledby="progress-h" data-progress-url=${`/runs/${props.run.id}/progress`}>
    <h2 id="progress-h">In progress</h2>
    <p aria-live="polite">Phase: <strong data-phase="">${p?.phase ?? props.run.status}</strong> · objects done: <strong data-done="">${p?.done ?? 0}</strong></p>
    <label for="run-progress" class="visually-hidden">Progress</label>
    <progress id="run-progress" max=${p?.total ?? undefined} value=${p?.total ? p.done : undefined}></progress>
    <noscript><p>Reload the page to see the latest progress.</p></noscript>
    <${Cancel} run=${props.run} page=${props.page} />
  </section>`;
}

function Mails(props: { notifications: RunNotification[] }) {
  if (props.notifications.length === 0) return html`<p class="muted">No mail was sent for this run.</p>`;
  return html`<div class="table-wrap"><table>
    <thead><tr><th scope="col">Mail</th><th scope="col">To</th><th scope="col">Status</th><th scope="col" class="num">Attempts</th><th scope="col">Error</th></tr></thead>
    <tbody>${props.notifications.map(
      (
        n,
      ) => html`<tr><td>${n.kind.replaceAll('_', ' ')}</td><td>${Array.isArray(n.to) ? n.to.join(', ') : n.to}</td><td><${StatusBadge} status=${n.status === 'sent' ? 'ok' : n.status === 'failed' ? 'error' : 'queued'} label=${n.status} /></td>
        <td class="num">${n.attempts}</td><td>${n.error ?? ''}</td></tr>`,
    )}</tbody></table></div>`;
}

export function EventsTable(props: { runId: string; events: RunEventSummary[]; caption: string }) {
  return html`<div class="table-wrap"><table>
    <caption class="visually-hidden">${props.caption}</caption>
    <thead><tr><th scope="col" class="num">#</th><th scope="col">Object</th><th scope="col">Situation</th><th scope="col">Response</th>
      <th scope="col">Outcome</th><th scope="col">Changes</th><th scope="col">Error</th></tr></thead>
    <tbody>${props.events.map(
      (e) => html`<tr>
        <td class="num">${e.seq}</td>
        <th scope="row"><a href=${`/runs/${props.runId}/events/${e.id}`}>${e.objectKey ?? e.idmObjectId ?? `event ${e.seq}`}</a></th>
        <td><${Coded} label=${situationLabel(e.situation)} code=${e.situation} /></td>
        <td><${Coded} label=${responseLabel(e.response)} code=${e.response} /></td>
        <td><${StatusBadge} status=${e.outcome} /></td>
        <td>${e.diff ? Object.keys(e.diff).join(', ') : ''}</td>
        <td>${e.error ? html`<span class="field-error">${e.error.code}</span> ${e.error.message}` : ''}</td>
      </tr>`,
    )}</tbody></table></div>`;
}

export function RunPage(props: {
  page: PageContext;
  run: RunSummary;
  config: ConfigView | undefined;
  progress: LiveProgress | null;
  events: RunEventSummary[];
  filter: EventsFilter;
  nextPage: string | null;
  notifications: RunNotification[];
}) {
  const { run, filter } = props;
  const running = run.status === 'queued' || run.status === 'running';
  const reviewable =
    (run.dryRun && run.status === 'succeeded') || heldStatuses.has(run.status) || run.trigger === 'apply';
  // A run that wrote (applied actions) can be undone by an admin, through a plan to review.
  const undoable = !run.dryRun && !running && Object.keys(run.counts.applied ?? {}).length > 0;
  const q = (name: string, value: string | undefined) =>
    value ? `&${name}=${encodeURIComponent(value)}` : '';
  return Layout({
    page: props.page,
    title: `Run of ${configLabel(props.config)}`,
    wide: true,
    children: html`
      <dl class="facts panel">
        <dt>Status</dt><dd><${StatusBadge} status=${run.status} />${run.dryRun ? ' dry run' : ''}</dd>
        <dt>Config</dt><dd>${run.configId ? html`<a href=${`/configs/${run.configId}`}>${configLabel(props.config)}</a>` : 'deleted'}</dd>
        <dt>Mode and trigger</dt><dd>${run.mode}, ${run.trigger}</dd>
        <dt>Started</dt><dd><${Time} at=${run.startedAt} /></dd>
        <dt>Finished</dt><dd><${Time} at=${run.finishedAt} /> (${formatDuration(run.durationMs)})</dd>
        <dt>Throughput</dt><dd>${run.throughput === null ? '—' : `${run.throughput.toFixed(1)} objects/s`}</dd>
        <dt>Run id</dt><dd><code>${run.id}</code></dd>
        ${run.configId && !running ? html`<dt>Compare</dt><dd><a href=${`/runs/${run.id}/diff`}>What changed since the previous run</a></dd>` : null}
        ${run.error ? html`<dt>Error</dt><dd class="field-error">${run.error.code}: ${run.error.message}</dd>` : null}
        ${!running && run.cancelledBy ? html`<dt>Cancel requested by</dt><dd>${run.cancelledBy}</dd>` : null}
      </dl>
      ${running ? html`<${Progress} run=${run} progress=${props.progress} page=${props.page} />` : null}
      ${reviewable ? html`<p class="actions"><a class="button button-primary" href=${`/runs/${run.id}/review`}>${run.trigger === 'apply' ? 'Review what this applied run skipped' : run.trigger === 'undo' ? 'Review this undo plan' : 'Review this plan'}</a></p>` : null}
      ${
        undoable && props.page.can('undoRuns')
          ? html`<p class="actions"><${PostButton} action=${`/runs/${run.id}/undo`} csrf=${props.page.csrf} label="Undo this run" kind="danger" /></p>
            <p class="muted">Undo makes a plan of the inverse of every action this run applied. Nothing is written until you review and apply it.</p>`
          : null
      }
      <h2>Summary</h2>
      <div class="grid-2">
        <${Counts} title="Situations" counts=${run.counts.situations} label=${situationLabel} />
        <${Counts} title="Responses" counts=${run.counts.responses} label=${responseLabel} />
      </div>
      <p>Errors: <strong>${run.counts.errors}</strong></p>
      <h2>Downloads</h2>
      <p class="actions">
        <a class="button" href=${`/runs/${run.id}/events.csv`} download="">Download CSV</a>
        <a class="button" href=${`/runs/${run.id}/report`}>Report</a>
        <a class="button" href=${`/runs/${run.id}/do-nothing.csv`}>Do-nothing CSV</a>
      </p>
      <h2>Mails sent</h2>
      <${Mails} notifications=${props.notifications} />
      <h2 id="events-h">Events</h2>
      <form method="get" action=${`/runs/${run.id}`} class="toolbar" aria-label="Filter events">
        <${SelectField} name="situation" label="Situation" value=${filter.situation} blank="Any situation" options=${situations.map((s) => codedOption(s, situationLabel(s)))} />
        <${SelectField} name="response" label="Response" value=${filter.response} blank="Any response"
          options=${[...responses, 'LINKED_BY_PERSON', 'DISMISSED'].map((r) => codedOption(r, responseLabel(r)))} />
        <${SelectField} name="outcome" label="Outcome" value=${filter.outcome} blank="Any outcome" options=${eventOutcomes.map((o) => ({ value: o }))} />
        <button type="submit" class="button">Filter</button>
      </form>
      ${props.events.length === 0 ? html`<p class="muted">No event matches.</p>` : html`<${EventsTable} runId=${run.id} events=${props.events} caption="Events of this run" />`}
      <p class="pager">
        ${props.nextPage ? html`<a href=${`${props.nextPage}${q('situation', filter.situation)}${q('response', filter.response)}${q('outcome', filter.outcome)}`}>Next events</a>` : null}
      </p>`,
  });
}
