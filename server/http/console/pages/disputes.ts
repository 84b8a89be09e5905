import type { ConfigView } from '../adapters/configs.ts';
import type { DisputeView } from '../adapters/disputes.ts';
import { Notice, PostButton, SelectField } from '../components/fields.ts';
import { StatusBadge } from '../components/status.ts';
import { Time } from '../components/time.ts';
import type { PageContext } from '../console-env.ts';
import { html } from '../html.ts';
import { Layout } from '../layout.ts';
import { configLabel } from './runs.ts';

function Attributes(props: { values: Record<string, unknown>; label: string }) {
  const entries = Object.entries(props.values);
  if (entries.length === 0) return html`<p class="muted">no attributes</p>`;
  return html`<dl class="facts" aria-label=${props.label}>${entries.map(
    ([k, v]) => html`<dt>${k}</dt><dd>${typeof v === 'string' ? v : JSON.stringify(v)}</dd>`,
  )}</dl>`;
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
              <td>${d.decidedBy ? html`${d.decidedBy}, <${Time} at=${d.decidedAt} />` : '—'}</td></tr>`,
          )}</tbody></table></div>`
      }`,
  });
}

export function DisputePage(props: {
  page: PageContext;
  dispute: DisputeView;
  config: ConfigView | undefined;
  problem?: string | undefined;
}) {
  const { page, dispute } = props;
  const open = dispute.status === 'open';
  const canResolve = open && page.can('resolveDisputes');
  return Layout({
    page,
    title: `Dispute: ${dispute.objectKey}`,
    wide: true,
    children: html`
      <p class="muted">${configLabel(props.config)} · opened by ${dispute.runId ? html`<a href=${`/runs/${dispute.runId}`}>a run</a>` : 'a run'} · <${StatusBadge} status=${dispute.status} />
        ${dispute.decidedBy ? html` · decided by ${dispute.decidedBy} <${Time} at=${dispute.decidedAt} />` : null}</p>
      ${props.problem ? html`<${Notice} tone="bad">${props.problem}</${Notice}>` : null}
      <div class="grid-2">
        <section class="candidate" aria-labelledby="account-h">
          <h2 id="account-h">The account</h2>
          <p><code>${dispute.objectKey}</code></p>
          <${Attributes} values=${dispute.account ?? {}} label="Account attributes" />
          ${
            canResolve
              ? html`<p class="actions"><${PostButton} action=${`/disputes/${dispute.id}/resolve`} csrf=${page.csrf} label="Dismiss: link none"
                fields=${{ dismiss: 'true' }} kind="danger" /></p>`
              : null
          }
        </section>
        <section aria-labelledby="candidates-h">
          <h2 id="candidates-h">Candidates (${dispute.candidates.length})</h2>
          ${[...dispute.candidates]
            .sort((a, b) => (b.score ?? 0) - (a.score ?? 0))
            .map(
              (candidate, i) => html`<article class="candidate" aria-labelledby=${`cand-${i}`}>
                <h3 id=${`cand-${i}`}>IDM object <code>${candidate.idmObjectId}</code>
                  ${candidate.score === null ? html` · <span class="muted">no score (matched by the recon key)</span>` : html` · score <strong>${candidate.score}</strong>`}</h3>
                <${Attributes} values=${candidate.attributes} label=${`Attributes of candidate ${candidate.idmObjectId}`} />
                ${
                  canResolve
                    ? html`<p class="actions"><${PostButton} action=${`/disputes/${dispute.id}/resolve`} csrf=${page.csrf}
                      label=${`Link to ${candidate.idmObjectId}`} fields=${{ idmObjectId: candidate.idmObjectId }} kind="primary" /></p>`
                    : null
                }
              </article>`,
            )}
        </section>
      </div>`,
  });
}
