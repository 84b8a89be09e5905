import type { ConfigView } from '../adapters/configs.ts';
import type { ConnectorForm } from '../adapters/connectors.ts';
import type { ConnectionTest, SystemView } from '../adapters/systems.ts';
import { ConnectionFields, type FieldErrors } from '../components/connection-fields.ts';
import {
  CheckboxField,
  CsrfField,
  Notice,
  PostButton,
  SelectField,
  TextArea,
  TextField,
} from '../components/fields.ts';
import { StatusBadge } from '../components/status.ts';
import { Time } from '../components/time.ts';
import type { PageContext } from '../console-env.ts';
import { html } from '../html.ts';
import { Layout } from '../layout.ts';

export function SystemsPage(props: { page: PageContext; systems: SystemView[]; configs: ConfigView[] }) {
  const { page } = props;
  return Layout({
    page,
    title: 'Managed systems',
    children: html`
      ${
        page.can('editSystems')
          ? html`<p class="actions"><a class="button button-primary" href="/systems/new">Add a managed system</a></p>`
          : null
      }
      ${
        props.systems.length === 0
          ? html`<p class="panel">No managed system yet.</p>`
          : html`<div class="table-wrap"><table>
          <thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Trusted</th>
            <th scope="col">Unique field key</th><th scope="col">Reconciliation configs</th><th scope="col">Changed</th></tr></thead>
          <tbody>${props.systems.map(
            (s) => html`<tr>
              <th scope="row"><a href=${`/systems/${s.id}`}>${s.name}</a></th>
              <td>${s.type}</td><td>${s.trusted ? 'yes' : 'no'}</td><td><code>${s.uniqueFieldKey}</code></td>
              <td>${props.configs.filter((c) => c.systemId === s.id).length}</td>
              <td><${Time} at=${s.updatedAt} /></td>
            </tr>`,
          )}</tbody></table></div>`
      }`,
  });
}

export type SystemFormValues = {
  name: string;
  type: string;
  trusted: boolean;
  uniqueFieldKey: string;
  attributes: string;
  outboundMapping: string;
  connection: Record<string, unknown>;
};

export function systemFormValues(system: SystemView): SystemFormValues {
  return {
    name: system.name,
    type: system.type,
    trusted: system.trusted,
    uniqueFieldKey: system.uniqueFieldKey,
    attributes: system.attributes.join('\n'),
    outboundMapping:
      system.outboundMapping === null
        ? ''
        : typeof system.outboundMapping === 'string'
          ? system.outboundMapping
          : JSON.stringify(system.outboundMapping, null, 2),
    connection: system.connection,
  };
}

function SystemForm(props: {
  page: PageContext;
  action: string;
  connector: ConnectorForm;
  types: readonly string[];
  values: SystemFormValues;
  errors: FieldErrors;
  editing: boolean;
}) {
  const { values, errors } = props;
  const readOnly = !props.page.can('editSystems');
  return html`<form method="post" action=${props.action} class="stack">
    <${CsrfField} csrf=${props.page.csrf} />
    <fieldset disabled=${readOnly}>
      <legend>Managed system</legend>
      <div class="fields-2">
        <${TextField} name="name" label="Name" value=${values.name} required=${true} error=${errors.name} />
        ${
          props.editing
            ? html`<${TextField} name="type-shown" label="Type" value=${values.type} readonly=${true} hint="The type of a system cannot change." />`
            : html`<${SelectField} name="type" label="Type" value=${values.type} error=${errors.type}
              options=${props.types.map((t) => ({ value: t }))} hint="Changing the type reloads the connection fields." />`
        }
        <${TextField} name="uniqueFieldKey" label="Unique field key" value=${values.uniqueFieldKey} required=${true}
          error=${errors.uniqueFieldKey} hint="The attribute that identifies an account: a DN, an employee number, a primary key." />
        <${CheckboxField} name="trusted" label="Trusted system (may create and update IDM users)" checked=${values.trusted} />
      </div>
      <${TextArea} name="attributes" label="Attributes" value=${values.attributes} rows=${3} error=${errors.attributes}
        hint="The attributes to read, one per line; empty reads all." />
      <${TextArea} name="outboundMapping" label="Outbound mapping" value=${values.outboundMapping} rows=${3} code=${true}
        error=${errors.outboundMapping} hint="A policy path (app/outbound.ts), or a JSON object of account attribute → IDM attribute. Used by ADD_TO_RESOURCE." />
    </fieldset>
    <${ConnectionFields} connector=${props.connector} values=${values.connection} editing=${props.editing} errors=${errors} />
    ${readOnly ? null : html`<div class="actions"><button type="submit" class="button button-primary">Save</button></div>`}
  </form>`;
}

export function NewSystemPage(props: {
  page: PageContext;
  connector: ConnectorForm;
  types: readonly string[];
  values: SystemFormValues;
  errors: FieldErrors;
  problem?: string | undefined;
}) {
  return Layout({
    page: props.page,
    title: 'Add a managed system',
    children: html`
      <form method="get" action="/systems/new" class="toolbar">
        <${SelectField} name="type" label="Connector type" value=${props.connector.type} options=${props.types.map((t) => ({ value: t }))} />
        <button type="submit" class="button">Show its settings</button>
      </form>
      <p class="muted">${props.connector.description}</p>
      ${props.connector.type === 'csv' ? html`<p class="muted">Once the system is saved, its page takes an upload of the file.</p>` : null}
      ${props.problem ? html`<${Notice} tone="bad">${props.problem}</${Notice}>` : null}
      <${SystemForm} page=${props.page} action="/systems" connector=${props.connector} types=${props.types}
        values=${props.values} errors=${props.errors} editing=${false} />`,
  });
}

function TestResult(props: { result: ConnectionTest }) {
  return html`<${Notice} tone=${props.result.ok ? 'ok' : 'bad'}>
    <p><${StatusBadge} status=${props.result.ok ? 'ok' : 'error'} label=${props.result.ok ? 'Connection ok' : 'Connection failed'} />
      ${' '}${props.result.message}</p>
    ${props.result.details ? html`<pre>${JSON.stringify(props.result.details, null, 2)}</pre>` : null}
  </${Notice}>`;
}

export function SystemPage(props: {
  page: PageContext;
  system: SystemView;
  connector: ConnectorForm;
  configs: ConfigView[];
  values: SystemFormValues;
  errors: FieldErrors;
  problem?: string | undefined;
  saved?: boolean;
  test?: ConnectionTest | undefined;
  uploaded?: boolean;
}) {
  const { page, system } = props;
  const last = system.lastTest;
  return Layout({
    page,
    title: system.name,
    children: html`
      ${props.saved ? html`<${Notice} tone="ok">Saved.</${Notice}>` : null}
      ${props.problem ? html`<${Notice} tone="bad">${props.problem}</${Notice}>` : null}
      <section aria-labelledby="test-h" class="panel">
        <h2 id="test-h">Connection</h2>
        ${props.test ? html`<${TestResult} result=${props.test} />` : null}
        ${
          !props.test && last
            ? html`<p><${StatusBadge} status=${last.ok ? 'ok' : 'error'} label=${last.ok ? 'Connection ok' : 'Connection failed'} />
                ${' '}${last.message} <span class="muted">(tested <${Time} at=${last.at} />)</span></p>`
            : !props.test
              ? html`<p class="muted">Not tested yet.</p>`
              : null
        }
        ${
          page.can('testConnection')
            ? html`<${PostButton} action=${`/systems/${system.id}/test`} csrf=${page.csrf} label="Test connection" />`
            : html`<p class="muted">Connection tests need an admin.</p>`
        }
      </section>
      ${
        system.type === 'csv' && page.can('editSystems')
          ? html`<section aria-labelledby="upload-h" class="panel">
              <h2 id="upload-h">Upload a file</h2>
              ${props.uploaded ? html`<${Notice} tone="ok"><p>Stored the file: the next run reads it.</p></${Notice}>` : null}
              <form method="post" action=${`/systems/${system.id}/file`} enctype="multipart/form-data" class="toolbar">
                <${CsrfField} csrf=${page.csrf} />
                <div class="field">
                  <label for="f-file">CSV file</label>
                  <input id="f-file" type="file" name="file" accept=".csv,text/csv" required aria-describedby="f-file-hint" />
                  <p class="hint" id="f-file-hint">Replaces the file this system reads; a run reading the old one reads it whole.</p>
                </div>
                <button type="submit" class="button">Upload</button>
              </form>
            </section>`
          : null
      }
      <section aria-labelledby="configs-h">
        <h2 id="configs-h">Reconciliation configs</h2>
        <p><a href=${`/systems/${system.id}/accounts`}>Accounts as the last full runs read them</a></p>
        ${
          props.configs.length === 0
            ? html`<p class="muted">None yet.</p>`
            : html`<div class="table-wrap"><table>
            <thead><tr><th scope="col">Config</th><th scope="col">Object type</th><th scope="col">Status</th><th scope="col">Schedule</th><th scope="col">History</th></tr></thead>
            <tbody>${props.configs.map(
              (
                c,
              ) => html`<tr><th scope="row"><a href=${`/configs/${c.id}`}>${c.name ?? c.id}</a></th><td>${c.objectType}</td>
                <td><${StatusBadge} status=${c.status === 'active' ? 'ok' : 'plain'} label=${c.status} /></td>
                <td>${c.frequency ?? 'manual'} ${c.frequency ? html`<span class="muted">(${c.timezone})</span>` : null}</td>
                <td><a href=${`/runs?configId=${c.id}`}>Runs</a></td></tr>`,
            )}</tbody></table></div>`
        }
        ${
          page.can('editConfigs')
            ? html`<p class="actions"><a class="button" href=${`/systems/${system.id}/configs/new`}>New reconciliation config</a></p>`
            : null
        }
      </section>
      <h2>Settings</h2>
      <${SystemForm} page=${page} action=${`/systems/${system.id}`} connector=${props.connector} types=${[system.type]}
        values=${props.values} errors=${props.errors} editing=${true} />`,
  });
}
