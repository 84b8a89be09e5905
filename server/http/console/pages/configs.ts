import type { RunSummary } from '../adapters/activity.ts';
import type { ConfigView } from '../adapters/configs.ts';
import type { PolicyListItem } from '../adapters/policies.ts';
import type { SystemView } from '../adapters/systems.ts';
import type { FieldErrors } from '../components/connection-fields.ts';
import { Notice, PostButton } from '../components/fields.ts';
import { StatusBadge } from '../components/status.ts';
import { Time } from '../components/time.ts';
import type { PageContext } from '../console-env.ts';
import { html } from '../html.ts';
import { Layout } from '../layout.ts';
import { ConfigForm, type ConfigFormValues } from './config-form.ts';

type EditorProps = {
  page: PageContext;
  system: SystemView;
  values: ConfigFormValues;
  errors: FieldErrors;
  policies: PolicyListItem[];
  nextRuns: Date[];
  supportsSourceGuard: boolean;
  problem?: string | undefined;
};

function Problems(props: { errors: FieldErrors; problem?: string | undefined }) {
  const count = Object.keys(props.errors).length;
  if (!props.problem && count === 0) return null;
  return html`<${Notice} tone="bad">
    ${props.problem ? html`<p>${props.problem}</p>` : null}
    ${
      count > 0
        ? html`<p>Not saved: ${count} field${count === 1 ? '' : 's'} need${count === 1 ? 's' : ''} a change (marked below).</p>
      <ul>${Object.entries(props.errors).map(([field, message]) => html`<li><code>${field || 'config'}</code>: ${message}</li>`)}</ul>`
        : null
    }
  </${Notice}>`;
}

export function NewConfigPage(props: EditorProps) {
  return Layout({
    page: props.page,
    title: `New reconciliation config for ${props.system.name}`,
    children: html`<${Problems} errors=${props.errors} problem=${props.problem} />
      <${ConfigForm} page=${props.page} action=${`/systems/${props.system.id}/configs`} values=${props.values} errors=${props.errors}
        policies=${props.policies} nextRuns=${props.nextRuns} supportsSourceGuard=${props.supportsSourceGuard} readOnly=${false} />`,
  });
}

export function ConfigPage(
  props: EditorProps & { config: ConfigView; runs: RunSummary[]; notice?: string | undefined },
) {
  const { page, config } = props;
  return Layout({
    page,
    title: config.name ?? `${config.objectType} reconciliation`,
    children: html`
      <p class="muted">Managed system <a href=${`/systems/${props.system.id}`}>${props.system.name}</a> · ${config.objectType} ·
        <${StatusBadge} status=${config.status === 'active' ? 'ok' : 'plain'} label=${config.status} /></p>
      ${props.notice ? html`<${Notice} tone="ok">${props.notice}</${Notice}>` : null}
      <${Problems} errors=${props.errors} problem=${props.problem} />
      <section class="panel" aria-labelledby="runs-h">
        <h2 id="runs-h">Runs</h2>
        ${
          props.runs.length === 0
            ? html`<p class="muted">No run yet.</p>`
            : html`<ul class="plain">${props.runs.map(
                (run) =>
                  html`<li><a href=${`/runs/${run.id}`}><${Time} at=${run.createdAt} /></a> <${StatusBadge} status=${run.status} />${run.dryRun ? ' dry run' : ''}</li>`,
              )}</ul>
            <p><a href=${`/runs?configId=${config.id}`}>All runs of this config</a></p>`
        }
        ${
          page.can('startRuns')
            ? html`<div class="actions">
              <${PostButton} action=${`/configs/${config.id}/runs`} csrf=${page.csrf} label="Run now" />
              <${PostButton} action=${`/configs/${config.id}/runs`} csrf=${page.csrf} label="Dry run" fields=${{ dryRun: 'true' }} />
            </div>`
            : null
        }
      </section>
      <h2>Settings</h2>
      <${ConfigForm} page=${page} action=${`/configs/${config.id}`} values=${props.values} errors=${props.errors}
        policies=${props.policies} nextRuns=${props.nextRuns} supportsSourceGuard=${props.supportsSourceGuard}
        readOnly=${!page.can('editConfigs')} />`,
  });
}
