import { accountLinkStates } from '../../../store/last-read-accounts.ts';
import type { LastReadAccount } from '../adapters/idm.ts';
import type { SystemView } from '../adapters/systems.ts';
import { SelectField, TextField } from '../components/fields.ts';
import { StatusBadge } from '../components/status.ts';
import { Time } from '../components/time.ts';
import type { PageContext } from '../console-env.ts';
import { html } from '../html.ts';
import { Layout } from '../layout.ts';

const preview = (attributes: Record<string, unknown>) =>
  Object.entries(attributes)
    .slice(0, 4)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' · ');

export function SystemAccountsPage(props: {
  page: PageContext;
  system: SystemView;
  items: LastReadAccount[];
  filter: { q?: string | undefined; state?: string | undefined };
  nextPage: string | null;
  firstPage: string | null;
}) {
  const { system, filter } = props;
  const read = props.items[0];
  return Layout({
    page: props.page,
    title: `Accounts on ${system.name}`,
    wide: true,
    children: html`
      <p>The accounts the last full run of each config read, with how each stands with the IDM now. Nothing here reads ${system.name} again.
        ${read ? html` Last read by <a href=${`/runs/${read.runId}`}>run ${read.runId.slice(0, 8)}</a>${read.readAt ? html`, <${Time} at=${read.readAt} />` : null}.` : null}</p>
      <form method="get" action=${`/systems/${system.id}/accounts`} class="toolbar" aria-label="Search accounts">
        <${TextField} name="q" label="Key starts with, or attribute text" value=${filter.q} />
        <${SelectField} name="state" label="Link state" value=${filter.state} blank="Any state"
          options=${accountLinkStates.map((s) => ({ value: s }))} />
        <button type="submit" class="button">Search</button>
      </form>
      ${
        props.items.length === 0
          ? html`<p class="panel">${filter.q || filter.state ? 'No account matches.' : 'No full run of this system has kept its accounts yet: run one of its configs in full.'}</p>`
          : html`<div class="table-wrap"><table>
          <caption class="visually-hidden">Accounts on ${system.name}, by type and key</caption>
          <thead><tr><th scope="col">Key (${system.uniqueFieldKey})</th><th scope="col">Type</th><th scope="col">State</th>
            <th scope="col">IDM object</th><th scope="col">Attributes</th></tr></thead>
          <tbody>${props.items.map(
            (a) => html`<tr>
              <th scope="row"><code>${a.key}</code></th>
              <td>${a.objectType}</td>
              <td><${StatusBadge} status=${a.state} /></td>
              <td>${a.link ? html`<a href=${`/idm/${a.objectType.toLowerCase()}s/${a.link.idmObjectId}`} >IDM object<span class="visually-hidden"> of ${a.key}</span></a>` : a.state === 'disputed' ? html`<a href="/disputes">disputes</a>` : html`<span class="muted">none</span>`}</td>
              <td class="muted">${preview(a.attributes)}</td>
            </tr>`,
          )}</tbody></table></div>`
      }
      <p class="pager">
        ${props.firstPage ? html`<a href=${props.firstPage}>First page</a> ` : null}
        ${props.nextPage ? html`<a href=${props.nextPage}>Next page</a>` : null}
      </p>`,
  });
}
