import type { IdmDetailView } from '../adapters/idm.ts';
import type { SystemView } from '../adapters/systems.ts';
import { CsrfField, Notice, PostButton, SelectField, TextField } from '../components/fields.ts';
import { actLabels, Coded, responseLabel, situationLabel } from '../components/labels.ts';
import { StatusBadge } from '../components/status.ts';
import { Time } from '../components/time.ts';
import type { PageContext } from '../console-env.ts';
import { html } from '../html.ts';
import { Layout } from '../layout.ts';
import { type IdmSection, IdmTabs, idmStatusBadge } from './idm.ts';

export type IdmNotice = { tone: 'ok' | 'bad'; message: string; field?: 'systemId' | 'accountKey' };

const shown = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

function Facts(props: { values: Record<string, unknown>; label: string }) {
  const entries = Object.entries(props.values).filter(([, v]) => v !== null && v !== undefined);
  if (entries.length === 0) return html`<p class="muted">no attributes</p>`;
  return html`<dl class="facts" aria-label=${props.label}>${entries.map(([k, v]) => html`<dt>${k}</dt><dd>${shown(v)}</dd>`)}</dl>`;
}

function Links(props: { object: IdmDetailView; section: IdmSection; page: PageContext }) {
  const { object, page } = props;
  if (object.links.length === 0)
    return html`<p class="muted">No account is linked to this ${object.type.toLowerCase()}.</p>`;
  return html`${object.links.map(
    (
      link,
    ) => html`<section class="panel" aria-label=${`Account ${link.accountKey} on ${link.systemName ?? link.systemId}`}>
      <h3><a href=${`/systems/${link.systemId}/accounts?q=${encodeURIComponent(link.accountKey)}`}>${link.systemName ?? 'deleted system'}</a>: <code>${link.accountKey}</code></h3>
      <p>Link <${StatusBadge} status=${link.status === 'active' ? 'ok' : 'hold'} label=${link.status} />
        ${link.lastSeenAt ? html`, last seen <${Time} at=${link.lastSeenAt} />` : null}
        ${link.staleSince ? html`, stale since <${Time} at=${link.staleSince} />` : null}</p>
      ${
        link.account
          ? html`<p class="muted">As last read by <a href=${`/runs/${link.account.runId}`}>the last full run</a>${link.account.readAt ? html`, <${Time} at=${link.account.readAt} />` : null}:</p>
            <${Facts} values=${link.account.attributes} label=${`Attributes of ${link.accountKey}`} />`
          : html`<p class="muted">The last full run of ${link.systemName ?? 'its system'} did not read this account.</p>`
      }
      ${
        page.can('editIdm')
          ? html`<p class="actions"><${PostButton} action=${`/idm/${props.section}/${object.id}/links/${link.id}/unlink`} csrf=${page.csrf}
              label=${`Unlink ${link.accountKey}`} kind="danger"
              confirm=${`Unlink the account ${link.accountKey}? The next run meets it as if it had never been linked.`} /></p>`
          : null
      }
    </section>`,
  )}`;
}

function History(props: { object: IdmDetailView }) {
  const { history } = props.object;
  if (history.length === 0) return html`<p class="muted">Nothing has happened to it yet.</p>`;
  return html`<div class="table-wrap"><table>
    <caption class="visually-hidden">History, newest first</caption>
    <thead><tr><th scope="col">When</th><th scope="col">What</th><th scope="col">Outcome</th><th scope="col">Where</th></tr></thead>
    <tbody>${history.map((h) =>
      h.kind === 'act'
        ? html`<tr>
            <th scope="row"><${Time} at=${h.at} /></th>
            <td>${actLabels[h.act as keyof typeof actLabels] ?? h.act}${h.details.accountKey ? html` <code>${shown(h.details.accountKey)}</code>` : null}${h.details.systemName ? ` on ${shown(h.details.systemName)}` : ''}</td>
            <td><${StatusBadge} status="applied" /></td>
            <td>by ${h.actor}</td>
          </tr>`
        : html`<tr>
            <th scope="row"><a href=${`/runs/${h.runId}/events/${h.eventId}`}><${Time} at=${h.at} /></a></th>
            <td><${Coded} label=${responseLabel(h.response)} code=${h.response} /><br /><span class="muted">${situationLabel(h.situation)}</span></td>
            <td><${StatusBadge} status=${h.outcome} />${h.error ? html`<br /><span class="field-error">${h.error}</span>` : null}</td>
            <td><a href=${`/runs/${h.runId}`}>${h.dryRun ? 'dry run' : 'run'} of ${h.configName ?? 'a config'}</a> <${StatusBadge} status=${h.runStatus} /></td>
          </tr>`,
    )}</tbody></table></div>`;
}

function Acts(props: {
  object: IdmDetailView;
  section: IdmSection;
  page: PageContext;
  systems: SystemView[];
  notice?: IdmNotice | undefined;
}) {
  const { object, page, section } = props;
  if (!page.can('editIdm') || object.status === 'deleted') return null;
  const bad = props.notice?.tone === 'bad' ? props.notice : undefined;
  return html`<section class="panel" aria-labelledby="acts-h">
    <h2 id="acts-h">Act by hand</h2>
    <p>Each act is recorded in the history below with your name.</p>
    <div class="toolbar">
      ${
        object.status === 'active'
          ? html`<${PostButton} action=${`/idm/${section}/${object.id}/disable`} csrf=${page.csrf} label=${`Disable ${object.name}`} kind="danger"
              confirm=${`Disable ${object.name}?`} />`
          : html`<${PostButton} action=${`/idm/${section}/${object.id}/enable`} csrf=${page.csrf} label=${`Enable ${object.name}`} kind="primary" />`
      }
    </div>
    <form method="post" action=${`/idm/${section}/${object.id}/links`} class="toolbar" aria-label="Link an account">
      <${CsrfField} csrf=${page.csrf} />
      <${SelectField} name="systemId" label="Managed system" value=${undefined}
        options=${props.systems.map((s) => ({ value: s.id, label: s.name }))} error=${bad?.field === 'systemId' ? bad.message : undefined} />
      <${TextField} name="accountKey" label="Account key" required=${true} hint="Its unique field key (DN, employee number, …)."
        error=${bad?.field === 'accountKey' ? bad.message : undefined} />
      <button type="submit" class="button">Link account</button>
    </form>
  </section>`;
}

export function IdmObjectPage(props: {
  page: PageContext;
  section: IdmSection;
  object: IdmDetailView;
  systems: SystemView[];
  notice?: IdmNotice | undefined;
}) {
  const { object, page, notice } = props;
  const columns = {
    name: object.name,
    login: object.login,
    email: object.email,
    employeeId: object.employeeId,
  };
  return Layout({
    page,
    title: `${object.type} ${object.name}`,
    wide: true,
    children: html`
      <${IdmTabs} current=${props.section} />
      ${notice && !notice.field ? html`<${Notice} tone=${notice.tone}><p>${notice.message}</p></${Notice}>` : null}
      <p>${idmStatusBadge(object.status)} <span class="muted">created <${Time} at=${object.createdAt} />, updated <${Time} at=${object.updatedAt} /></span></p>
      <${Acts} ...${props} />
      <h2>Attributes</h2>
      <${Facts} values=${{ ...columns, ...object.attributes }} label="Attributes" />
      <h2>Links per system</h2>
      <${Links} object=${object} section=${props.section} page=${page} />
      <h2>Memberships</h2>
      ${
        object.memberOf.length === 0 && object.members.length === 0
          ? html`<p class="muted">No memberships.</p>`
          : html`<ul class="plain">
            ${object.memberOf.map((m) => html`<li>member of ${m.type.toLowerCase()} <a href=${`/idm/${m.type.toLowerCase()}s/${m.id}`}>${m.name}</a></li>`)}
            ${object.members.map((m) => html`<li>has member <a href=${`/idm/${m.type.toLowerCase()}s/${m.id}`}>${m.name}</a> (${m.type.toLowerCase()})</li>`)}
          </ul>`
      }
      <h2>History</h2>
      <p class="muted">The runs' events about it and the acts by hand, newest first.</p>
      <${History} object=${object} />`,
  });
}
