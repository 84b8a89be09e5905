import { runStatuses } from '../../../core/model.ts';
import type { RunSummary } from '../adapters/activity.ts';
import type { ConfigView } from '../adapters/configs.ts';
import { SelectField, TextField } from '../components/fields.ts';
import { StatusBadge } from '../components/status.ts';
import { formatDuration, Time } from '../components/time.ts';
import type { PageContext } from '../console-env.ts';
import { html } from '../html.ts';
import { Layout } from '../layout.ts';

export type RunsFilter = {
  configId?: string | undefined;
  status?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
};

export const configLabel = (config: ConfigView | undefined) =>
  config ? (config.name ?? `${config.objectType} (${config.id.slice(0, 8)})`) : 'deleted config';

const objectsIn = (run: RunSummary) => Object.values(run.counts.situations).reduce((a, b) => a + b, 0);

export function RunsPage(props: {
  page: PageContext;
  runs: RunSummary[];
  configs: ConfigView[];
  filter: RunsFilter;
  nextPage: string | null;
  problem?: string | undefined;
}) {
  const { filter } = props;
  const byId = new Map(props.configs.map((c) => [c.id, c]));
  return Layout({
    page: props.page,
    title: 'Activity history',
    wide: true,
    children: html`
      <form method="get" action="/runs" class="toolbar" aria-label="Filter runs">
        <${SelectField} name="configId" label="Config" value=${filter.configId} blank="All configs"
          options=${props.configs.map((c) => ({ value: c.id, label: configLabel(c) }))} />
        <${SelectField} name="status" label="Status" value=${filter.status} blank="Any status"
          options=${runStatuses.map((s) => ({ value: s, label: s.replaceAll('_', ' ') }))} />
        <${TextField} name="from" label="From (date)" value=${filter.from} placeholder="2026-12-01" />
        <${TextField} name="to" label="To (date)" value=${filter.to} placeholder="2026-12-31" />
        <button type="submit" class="button">Filter</button>
      </form>
      ${props.problem ? html`<p class="field-error" role="alert">${props.problem}</p>` : null}
      ${
        props.runs.length === 0
          ? html`<p class="panel">No run matches.</p>`
          : html`<div class="table-wrap"><table>
          <thead><tr><th scope="col">Started</th><th scope="col">Config</th><th scope="col">Status</th><th scope="col">Kind</th><th scope="col">Started by</th>
            <th scope="col" class="num">Objects</th><th scope="col" class="num">Errors</th><th scope="col">Duration</th><th scope="col">Download</th></tr></thead>
          <tbody>${props.runs.map(
            (run) => html`<tr>
              <th scope="row"><a href=${`/runs/${run.id}`}><${Time} at=${run.startedAt ?? run.createdAt} /></a></th>
              <td>${run.configId ? html`<a href=${`/configs/${run.configId}`}>${configLabel(byId.get(run.configId))}</a>` : 'deleted config'}</td>
              <td><${StatusBadge} status=${run.status} /></td>
              <td>${run.dryRun ? 'dry run' : run.trigger === 'apply' ? 'applied plan' : run.mode}<span class="muted">, ${run.trigger}</span></td>
              <td>${run.startedBy ?? html`<span class="muted">—</span>`}</td>
              <td class="num">${objectsIn(run)}</td><td class="num">${run.counts.errors}</td>
              <td>${formatDuration(run.durationMs)}</td>
              <td><a href=${`/runs/${run.id}/events.csv`} aria-label=${`Download the events of run ${run.id} as CSV`}>CSV</a></td>
            </tr>`,
          )}</tbody></table></div>`
      }
      ${props.nextPage ? html`<p class="pager"><a href=${props.nextPage}>Older runs</a></p>` : null}`,
  });
}
