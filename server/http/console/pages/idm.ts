import { idmStatuses } from '../../../db/schema/idm-objects.ts';
import type { IdmObjectView } from '../adapters/idm.ts';
import { SelectField, TextField } from '../components/fields.ts';
import { StatusBadge } from '../components/status.ts';
import { Time } from '../components/time.ts';
import type { PageContext } from '../console-env.ts';
import { html } from '../html.ts';
import { Layout } from '../layout.ts';

/** The console's IDM sections: URL segment, heading. */
export const idmSections = {
  users: 'Users',
  groups: 'Groups',
  roles: 'Roles',
  organizations: 'Organizations',
} as const;
export type IdmSection = keyof typeof idmSections;

export function IdmTabs(props: { current: IdmSection }) {
  return html`<nav aria-label="IDM object types" class="tabs"><ul>
    ${(Object.keys(idmSections) as IdmSection[]).map(
      (s) =>
        html`<li><a href=${`/idm/${s}`} aria-current=${s === props.current ? 'page' : undefined}>${idmSections[s]}</a></li>`,
    )}
  </ul></nav>`;
}

export const idmStatusBadge = (status: string) => html`<${StatusBadge} status=${status} />`;

export function IdmListPage(props: {
  page: PageContext;
  section: IdmSection;
  items: IdmObjectView[];
  filter: { q?: string | undefined; status?: string | undefined };
  nextPage: string | null;
  firstPage: string | null;
}) {
  const { section, filter } = props;
  const user = section === 'users';
  return Layout({
    page: props.page,
    title: `IDM ${idmSections[section].toLowerCase()}`,
    wide: true,
    children: html`
      <${IdmTabs} current=${section} />
      <form method="get" action=${`/idm/${section}`} class="toolbar" aria-label=${`Search ${section}`}>
        <${TextField} name="q" label="Name, login or email starts with" value=${filter.q} />
        <${SelectField} name="status" label="Status" value=${filter.status} blank="Any status"
          options=${idmStatuses.map((s) => ({ value: s }))} />
        <button type="submit" class="button">Search</button>
      </form>
      ${
        props.items.length === 0
          ? html`<p class="panel">No ${section.slice(0, -1)} matches.</p>`
          : html`<div class="table-wrap"><table>
          <caption class="visually-hidden">${idmSections[section]} by name</caption>
          <thead><tr><th scope="col">Name</th><th scope="col">Status</th>
            ${user ? html`<th scope="col">Login</th><th scope="col">Email</th><th scope="col">Employee id</th>` : null}
            <th scope="col">Updated</th></tr></thead>
          <tbody>${props.items.map(
            (o) => html`<tr>
              <th scope="row"><a href=${`/idm/${section}/${o.id}`}>${o.name}</a></th>
              <td>${idmStatusBadge(o.status)}</td>
              ${user ? html`<td>${o.login ?? '—'}</td><td>${o.email ?? '—'}</td><td>${o.employeeId ?? '—'}</td>` : null}
              <td><${Time} at=${o.updatedAt} /></td>
            </tr>`,
          )}</tbody></table></div>`
      }
      <p class="pager">
        ${props.firstPage ? html`<a href=${props.firstPage}>First page</a> ` : null}
        ${props.nextPage ? html`<a href=${props.nextPage}>Next page</a>` : null}
      </p>`,
  });
}
