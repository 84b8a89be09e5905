import type { RunSummary } from '../adapters/activity.ts';
import type { ConfigView } from '../adapters/configs.ts';
import type { SystemView } from '../adapters/systems.ts';
import { StatusBadge } from '../components/status.ts';
import { Time } from '../components/time.ts';
import type { PageContext } from '../console-env.ts';
import { html } from '../html.ts';
import { Layout } from '../layout.ts';

export type DashboardConfigRow = {
  config: ConfigView;
  lastRun: RunSummary | null;
  nextRunAt: Date | null;
  heldPlan: RunSummary | null;
};

export type DashboardRow = {
  system: SystemView;
  lastTest: { ok: boolean; message: string; at: string } | null;
  configs: DashboardConfigRow[];
  recentErrors: RunSummary[];
  /** Runs of the last 7 days that ended with errors, and that a gate or the source guard stopped. */
  recent: { errors: number; stopped: number };
  openDisputes: number;
};

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

const objectsIn = (run: RunSummary) => Object.values(run.counts.situations).reduce((a, b) => a + b, 0);

function Health(props: { row: DashboardRow }) {
  const runs = props.row.configs.map((c) => c.lastRun).filter((r): r is RunSummary => r !== null);
  const last = runs.sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
  const test = props.row.lastTest;
  const { errors, stopped } = props.row.recent;
  return html`<div>
    ${last ? html`<${StatusBadge} status=${last.status} label=${`last run ${last.status.replaceAll('_', ' ')}`} />` : html`<span class="muted">never run</span>`}
    ${errors > 0 ? html`<br /><${StatusBadge} status="failed" label=${`${plural(errors, 'run')} with errors (7 days)`} />` : null}
    ${stopped > 0 ? html`<br /><${StatusBadge} status="stopped_by_guard" label=${`${plural(stopped, 'run')} stopped (7 days)`} />` : null}
    <br />
    ${
      test
        ? html`<${StatusBadge} status=${test.ok ? 'ok' : 'error'} label=${test.ok ? 'connection ok' : 'connection failed'} />
          <span class="muted"> <${Time} at=${test.at} relative=${true} /></span>`
        : html`<span class="muted">connection not tested</span>`
    }
  </div>`;
}

function ConfigLines(props: { rows: DashboardConfigRow[] }) {
  if (props.rows.length === 0) return html`<span class="muted">no reconciliation config</span>`;
  return html`<ul class="plain">
    ${props.rows.map(
      (r) => html`<li>
        <a href=${`/configs/${r.config.id}`}>${r.config.name ?? r.config.objectType}</a>:
        ${
          r.lastRun
            ? html`<a href=${`/runs/${r.lastRun.id}`}>${objectsIn(r.lastRun)} objects</a>, <${Time} at=${r.lastRun.finishedAt ?? r.lastRun.createdAt} relative=${true} />${r.lastRun.dryRun ? ' (dry run)' : ''}`
            : html`<span class="muted">no run yet</span>`
        }
      </li>`,
    )}
  </ul>`;
}

function NextRuns(props: { rows: DashboardConfigRow[] }) {
  const next = props.rows
    .filter((r) => r.nextRunAt)
    .sort((a, b) => a.nextRunAt!.getTime() - b.nextRunAt!.getTime())[0];
  return next?.nextRunAt
    ? html`<${Time} at=${next.nextRunAt} relative=${true} /><br /><span class="muted">${next.config.name ?? next.config.objectType}, ${next.config.frequency}</span>`
    : html`<span class="muted">manual only</span>`;
}

function Waiting(props: { row: DashboardRow }) {
  const held = props.row.configs.filter((c) => c.heldPlan);
  const items = [
    ...held.map(
      (c) =>
        html`<li><a href=${`/runs/${c.heldPlan!.id}/review`}>Held plan: ${c.heldPlan!.status.replaceAll('_', ' ')}</a></li>`,
    ),
    props.row.openDisputes > 0
      ? html`<li><a href=${`/disputes?systemId=${props.row.system.id}`}>${props.row.openDisputes} open dispute${props.row.openDisputes === 1 ? '' : 's'}</a></li>`
      : null,
  ].filter(Boolean);
  return items.length > 0 ? html`<ul class="plain">${items}</ul>` : html`<span class="muted">nothing</span>`;
}

function Errors(props: { runs: RunSummary[] }) {
  if (props.runs.length === 0) return html`<span class="muted">none</span>`;
  return html`<ul class="plain">
    ${props.runs.map(
      (
        run,
      ) => html`<li><a href=${`/runs/${run.id}`}>${run.error?.message ?? `${run.counts.errors} object error${run.counts.errors === 1 ? '' : 's'}`}</a>
        <span class="muted"> <${Time} at=${run.createdAt} relative=${true} /></span></li>`,
    )}
  </ul>`;
}

function People(props: { users: Record<'active' | 'disabled' | 'deleted', number> }) {
  const { users } = props;
  return html`<section class="panel" aria-labelledby="people-h">
    <h2 id="people-h">IDM users</h2>
    <p><a href="/idm/users?status=active">${plural(users.active, 'active user')}</a> ·
      <a href="/idm/users?status=disabled">${plural(users.disabled, 'disabled user')}</a> ·
      <a href="/idm/users?status=deleted">${plural(users.deleted, 'deleted user')}</a></p>
  </section>`;
}

export function DashboardPage(props: {
  page: PageContext;
  rows: DashboardRow[];
  users: Record<'active' | 'disabled' | 'deleted', number>;
}) {
  const { page, rows } = props;
  return Layout({
    page,
    title: 'Dashboard',
    wide: true,
    children: html`
      <${People} users=${props.users} />
      ${
        rows.length === 0
          ? html`<div class="panel"><p>No managed system yet.</p>
            ${page.can('editSystems') ? html`<p><a class="button button-primary" href="/systems/new">Add a managed system</a></p>` : null}</div>`
          : html`<div class="table-wrap"><table>
            <caption class="visually-hidden">Managed systems and their health</caption>
            <thead><tr>
              <th scope="col">Managed system</th><th scope="col">Health</th><th scope="col">Last run</th>
              <th scope="col">Next scheduled run</th><th scope="col">Recent errors</th><th scope="col">Waiting for a person</th>
            </tr></thead>
            <tbody>
              ${rows.map(
                (row) => html`<tr>
                  <th scope="row"><a href=${`/systems/${row.system.id}`}>${row.system.name}</a><br />
                    <span class="muted">${row.system.type}${row.system.trusted ? ', trusted' : ''}</span><br />
                    <a href=${`/systems/${row.system.id}/accounts`} aria-label=${`Accounts on ${row.system.name}`}>Accounts</a></th>
                  <td><${Health} row=${row} /></td>
                  <td><${ConfigLines} rows=${row.configs} /></td>
                  <td><${NextRuns} rows=${row.configs} /></td>
                  <td><${Errors} runs=${row.recentErrors} /></td>
                  <td><${Waiting} row=${row} /></td>
                </tr>`,
              )}
            </tbody>
          </table></div>`
      }`,
  });
}
