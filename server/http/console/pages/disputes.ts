import type { ConfigView } from '../adapters/configs.ts';
import type { DisputeView } from '../adapters/disputes.ts';
import { candidateName } from '../components/dispute-candidate.ts';
import { Notice, SelectField } from '../components/fields.ts';
import { StatusBadge } from '../components/status.ts';
import { Time } from '../components/time.ts';
import type { PageContext } from '../console-env.ts';
import { html } from '../html.ts';
import { Layout } from '../layout.ts';
import { configLabel } from './runs.ts';

/** Who decided and what: "linked to Ada by …" or "dismissed by …". */
function Decided(props: { dispute: DisputeView }) {
  const d = props.dispute;
  if (!d.decidedBy) return '—';
  const chosen = d.candidates.find((c) => c.idmObjectId === d.idmObjectId);
  const what =
    d.status === 'resolved'
      ? html`linked to ${chosen ? candidateName(chosen) : html`<code>${d.idmObjectId}</code>`}`
      : 'dismissed';
  return html`${what} by ${d.decidedBy}, <${Time} at=${d.decidedAt} />`;
}

export function DisputesPage(props: {
  page: PageContext;
  disputes: DisputeView[];
  configs: ConfigView[];
  status: string;
  configId: string | undefined;
  available: boolean;
}) {
  const byId = new Map(props.configs.map((c) => [c.id, c]));
  return Layout({
    page: props.page,
    title: 'Disputes',
    children: html`
      <p>An account the matching rule found several IDM candidates for waits here for a person: link it to one, or dismiss it.</p>
      ${props.available ? null : html`<${Notice} tone="info">Disputes are not recorded by this server yet.</${Notice}>`}
      <form method="get" action="/disputes" class="toolbar" aria-label="Filter disputes">
        <${SelectField} name="status" label="Status" value=${props.status} options=${[{ value: 'open' }, { value: 'resolved' }, { value: 'dismissed' }]} />
        <${SelectField} name="configId" label="Config" value=${props.configId} blank="All configs"
          options=${props.configs.map((c) => ({ value: c.id, label: configLabel(c) }))} />
        <button type="submit" class="button">Filter</button>
      </form>
      ${
        props.disputes.length === 0
          ? html`<p class="panel">No ${props.status} dispute.</p>`
          : html`<div class="table-wrap"><table>
          <thead><tr><th scope="col">Account</th><th scope="col">Config</th><th scope="col" class="num">Candidates</th><th scope="col">Status</th><th scope="col">Decided</th></tr></thead>
          <tbody>${props.disputes.map(
            (d) => html`<tr><th scope="row"><a href=${`/disputes/${d.id}`}>${d.objectKey}</a></th>
              <td>${configLabel(byId.get(d.configId))}</td><td class="num">${d.candidates.length}</td>
              <td><${StatusBadge} status=${d.status} /></td>
              <td><${Decided} dispute=${d} /></td></tr>`,
          )}</tbody></table></div>`
      }`,
  });
}
