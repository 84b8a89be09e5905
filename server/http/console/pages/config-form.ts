import { objectTypes, type Response, responses, situations } from '../../../core/model.ts';
import { idmFields } from '../../../services/configs/config-input.ts';
import { namedFrequencies } from '../../../services/schedules/frequency.ts';
import type { PolicyListItem } from '../adapters/policies.ts';
import type { FieldErrors } from '../components/connection-fields.ts';
import {
  CheckboxField,
  CsrfField,
  type Option,
  SelectField,
  TextArea,
  TextField,
} from '../components/fields.ts';
import { responseLabels, situationLabels } from '../components/labels.ts';
import { formatTime } from '../components/time.ts';
import type { PageContext } from '../console-env.ts';
import { html } from '../html.ts';

/** The config editor's fields as text, the way the form shows them (and shows them back). */
export type ConfigFormValues = {
  text: Record<string, string>;
  situations: Record<string, { response: string; populationPolicy: string; commandPolicy: string }>;
  sync: Array<{ attribute: string; direction: string; confidence: string }>;
};

/** ICU's canonical zones leave out `UTC` (the default) and aliases a config may hold: those are offered too. */
const timezones = Intl.supportedValuesOf('timeZone');
const timezoneOptions = (current: string | undefined): Option[] =>
  [...new Set(['UTC', ...(current ? [current] : []), ...timezones])].map((tz) => ({ value: tz }));

function policyOptions(policies: PolicyListItem[], kind: string, current: string | undefined): Option[] {
  const paths = policies.filter((p) => p.kind === kind).map((p) => p.path);
  if (current && !paths.includes(current)) paths.push(current);
  return paths.map((path) => ({ value: path }));
}

function PolicySelect(props: {
  name: string;
  label: string;
  kind: string;
  values: ConfigFormValues;
  policies: PolicyListItem[];
  errors: FieldErrors;
  hint?: string;
}) {
  const value = props.values.text[props.name];
  return html`<${SelectField} name=${props.name} label=${props.label} value=${value} blank="(none)" hint=${props.hint}
    error=${props.errors[props.name]} options=${policyOptions(props.policies, props.kind, value)} />`;
}

function SituationTable(props: {
  values: ConfigFormValues;
  policies: PolicyListItem[];
  errors: FieldErrors;
}) {
  return html`<fieldset>
    <legend>Situations and responses</legend>
    <div class="table-wrap"><table>
      <thead><tr><th scope="col">Situation</th><th scope="col">Response</th><th scope="col">Population policy</th><th scope="col">Command policy</th></tr></thead>
      <tbody>${situations.map((situation) => {
        const row = props.values.situations[situation] ?? {
          response: 'DO_NOTHING',
          populationPolicy: '',
          commandPolicy: '',
        };
        const name = `situations.${situation}`;
        const allowed: readonly Response[] = situation === 'DISPUTED' ? ['DO_NOTHING'] : responses;
        return html`<tr>
          <th scope="row">${situationLabels[situation]}<br /><code class="muted">${situation}</code></th>
          <td><${SelectField} name=${`${name}.response`} id=${`s-${situation}-response`} label=${`Response to ${situation}`} hideLabel=${true}
            value=${row.response} error=${props.errors[`${name}.response`]}
            options=${allowed.map((r) => ({ value: r, label: responseLabels[r] }))}
            hint=${situation === 'DISPUTED' ? 'A person decides: see Disputes.' : undefined} /></td>
          <td><${SelectField} name=${`${name}.populationPolicy`} id=${`s-${situation}-population`} label=${`Population policy for ${situation}`} hideLabel=${true}
            value=${row.populationPolicy} blank="(none)" error=${props.errors[`${name}.populationPolicy`]}
            options=${policyOptions(props.policies, 'population', row.populationPolicy)} /></td>
          <td><${SelectField} name=${`${name}.commandPolicy`} id=${`s-${situation}-command`} label=${`Command policy for ${situation}`} hideLabel=${true}
            value=${row.commandPolicy} blank="(default command)" error=${props.errors[`${name}.commandPolicy`]}
            options=${policyOptions(props.policies, 'situationCommand', row.commandPolicy)} /></td>
        </tr>`;
      })}</tbody>
    </table></div>
  </fieldset>`;
}

function AttributeSyncTable(props: { values: ConfigFormValues; errors: FieldErrors }) {
  const rows = [
    ...props.values.sync,
    ...Array.from({ length: 3 }, () => ({ attribute: '', direction: 'toIdm', confidence: '' })),
  ];
  return html`<fieldset>
    <legend>Attribute sync</legend>
    ${props.errors.attributeSync ? html`<p class="field-error" role="alert">${props.errors.attributeSync}</p>` : null}
    <p class="hint">Per attribute: which way values flow, and a confidence (0–100) when several systems feed it. Blank rows are ignored.</p>
    <div class="table-wrap"><table>
      <thead><tr><th scope="col">Attribute</th><th scope="col">Direction</th><th scope="col">Confidence</th></tr></thead>
      <tbody>${rows.map(
        (row, i) => html`<tr>
          <td><${TextField} name=${`sync.${i}.attribute`} label=${`Attribute ${i + 1}`} hideLabel=${true} value=${row.attribute} /></td>
          <td><${SelectField} name=${`sync.${i}.direction`} label=${`Direction of attribute ${i + 1}`} hideLabel=${true} value=${row.direction}
            options=${[
              { value: 'toIdm', label: 'system → IDM' },
              { value: 'toSystem', label: 'IDM → system' },
              { value: 'both', label: 'both ways' },
              { value: 'none', label: 'none' },
            ]} /></td>
          <td><${TextField} name=${`sync.${i}.confidence`} label=${`Confidence of attribute ${i + 1}`} hideLabel=${true} type="number" min=${0} max=${100} value=${row.confidence} /></td>
        </tr>`,
      )}</tbody>
    </table></div>
  </fieldset>`;
}

export function ConfigForm(props: {
  page: PageContext;
  action: string;
  values: ConfigFormValues;
  errors: FieldErrors;
  policies: PolicyListItem[];
  nextRuns: Date[];
  supportsSourceGuard: boolean;
  readOnly: boolean;
}) {
  const { errors: e, policies } = props;
  const v = props.values.text;
  const common = { values: props.values, policies, errors: e };
  const frequency = v.frequency ?? '';
  return html`<form method="post" action=${props.action} class="stack" novalidate>
    <${CsrfField} csrf=${props.page.csrf} />
    <fieldset class="plain-fieldset" disabled=${props.readOnly}>
    <legend class="visually-hidden">Reconciliation config</legend>
    <fieldset>
      <legend>Configuration</legend>
      <div class="fields-2">
        <${TextField} name="name" label="Name" value=${v.name} error=${e.name} />
        <${SelectField} name="objectType" label="Object type" value=${v.objectType} error=${e.objectType}
          options=${objectTypes.map((t) => ({ value: t }))} />
        <${SelectField} name="status" label="Status" value=${v.status} error=${e.status}
          options=${[{ value: 'active' }, { value: 'inactive' }]} hint="An inactive config never runs." />
        <${PolicySelect} ...${common} name="customProcessorPolicy" label="Custom processor policy" kind="customProcessor"
          hint="Replaces the standard processing when set." />
      </div>
    </fieldset>
    <fieldset>
      <legend>Schedule</legend>
      <div class="fields-2">
        <${SelectField} name="frequency" label="Frequency" value=${(namedFrequencies as readonly string[]).includes(frequency) || frequency === '' ? frequency : 'cron'}
          error=${e.frequency} options=${[
            { value: '', label: 'Manual only' },
            { value: 'every5m', label: 'Every 5 minutes' },
            { value: 'every15m', label: 'Every 15 minutes' },
            { value: 'hourly', label: 'Hourly' },
            { value: 'nightly', label: 'Nightly (02:00)' },
            { value: 'cron', label: 'Cron expression' },
          ]} />
        <${TextField} name="frequencyCron" label="Cron expression" value=${(namedFrequencies as readonly string[]).includes(frequency) ? '' : frequency}
          hint="Used when Frequency is Cron expression, e.g. 30 6 * * 1-5" />
        <${SelectField} name="timezone" label="Time zone" value=${v.timezone} error=${e.timezone}
          options=${timezoneOptions(v.timezone)} />
      </div>
      <div aria-live="polite">
        <h3 id="next-runs">Next runs</h3>
        ${
          props.nextRuns.length > 0
            ? html`<ol aria-labelledby="next-runs">${props.nextRuns.map((d) => html`<li><time datetime=${d.toISOString()}>${formatTime(d)}</time></li>`)}</ol>`
            : html`<p class="muted">None: this config runs only when started.</p>`
        }
      </div>
    </fieldset>
    <fieldset>
      <legend>Notifications and report</legend>
      <div class="fields-2">
        <${TextField} name="notificationEmail" label="Notification email" value=${v.notificationEmail} error=${e.notificationEmail}
          hint="Where the completion report goes; several addresses separated by commas." />
        <${SelectField} name="reportFormat" label="Report format" value=${v.reportFormat} error=${e.reportFormat}
          options=${[{ value: 'html', label: 'HTML' }, { value: 'csv', label: 'CSV' }]} />
        <${CheckboxField} name="sendDoNothingReport" label='Send a report of the "do nothing" cases' checked=${v.sendDoNothingReport === 'true'} />
      </div>
    </fieldset>
    <fieldset>
      <legend>Selecting accounts</legend>
      <div class="fields-2">
        <${PolicySelect} ...${common} name="targetQueryPolicy" label="Target system search query policy" kind="targetQuery" />
        <${TextField} name="updatedSince" label="Updated since" value=${v.updatedSince} error=${e.updatedSince}
          hint="ISO 8601, e.g. 2026-01-01T00:00:00Z; older records are ignored." />
      </div>
      <${TextArea} name="targetSearchFilter" label="Target system search query filter" value=${v.targetSearchFilter} code=${true}
        rows=${2} error=${e.targetSearchFilter} hint="Given to the target query policy as searchFilter (an LDAP filter, a SQL condition…)." />
      <${PolicySelect} ...${common} name="idmQueryPolicy" label="IDM search query policy" kind="idmQuery" />
      <${TextArea} name="idmSearchFilter" label="IDM search query filter" value=${v.idmSearchFilter} code=${true} rows=${2}
        error=${e.idmSearchFilter} hint='JSON, e.g. {"employeeId": "notexists"} for a one-way reconciliation.' />
      <${TextArea} name="policyMap" label="Policy map (attributes to request)" value=${v.policyMap} rows=${3}
        error=${e.policyMap} hint="One attribute per line." />
      <${TextField} name="entitlementAttribute" label="Entitlement attribute (memberships)" value=${v.entitlementAttribute}
        error=${e.entitlementAttribute} placeholder=${v.objectType === 'User' ? 'memberOf' : 'member'}
        hint="Group, Role, Organization: the account attribute that lists the members (member, members, uniqueMember); they become the IDM object's members. User: the attribute that lists an account's groups (memberOf). List it in the policy map too; on LDAP, in the system's referenceAttributes." />
    </fieldset>
    <fieldset>
      <legend>Matching</legend>
      <div class="fields-2">
        <${TextField} name="sourceAttributeName" label="Source attribute name" value=${v.sourceAttributeName} error=${e.sourceAttributeName}
          hint="The account attribute that carries the recon key." />
        <${SelectField} name="idmField" label="IDM repository field" value=${v.idmField} blank="(custom attribute)" error=${e.idmField}
          options=${idmFields.map((f) => ({ value: f }))} />
        <${TextField} name="idmCustomAttribute" label="IDM custom attribute name" value=${v.idmCustomAttribute}
          error=${e.idmCustomAttribute} hint="Only when the IDM field is a custom attribute." />
        <${PolicySelect} ...${common} name="matchingPolicy" label="Custom rule for matching" kind="matchingRule" />
      </div>
    </fieldset>
    <fieldset>
      <legend>Pre- and post-processing</legend>
      <div class="fields-2">
        <${PolicySelect} ...${common} name="preProcessorPolicy" label="Pre-processor policy" kind="preProcessor" />
        <${PolicySelect} ...${common} name="postProcessorPolicy" label="Post-processor policy" kind="postProcessor" />
      </div>
    </fieldset>
    <${SituationTable} ...${common} />
    <${AttributeSyncTable} values=${props.values} errors=${e} />
    <fieldset>
      <legend>Safety</legend>
      <div class="fields-2">
        <${TextField} name="deletionThreshold.count" label="Deletion threshold (count)" type="number" min=${0}
          value=${v['deletionThreshold.count']} error=${e['deletionThreshold.count']} hint="A run planning more deletions stops and holds its plan." />
        <${TextField} name="deletionThreshold.percent" label="Deletion threshold (percent)" type="number" min=${0} max=${100} step="any"
          value=${v['deletionThreshold.percent']} error=${e['deletionThreshold.percent']} />
        <${TextField} name="staleDays" label="Stale days" type="number" min=${0} value=${v.staleDays} error=${e.staleDays}
          hint="A missing account is marked stale and deleted only after this many days." />
      </div>
      ${
        props.supportsSourceGuard
          ? html`<div class="fields-2">
            <${CheckboxField} name="sourceGuard.enabled" label="Source guard on" checked=${v['sourceGuard.enabled'] === 'true'}
              hint="Stops a full run that reads too few accounts, before any write." />
            <${TextField} name="sourceGuard.minAccounts" label="Source guard: at least this many accounts" type="number" min=${0}
              value=${v['sourceGuard.minAccounts']} error=${e['sourceGuard.minAccounts']} />
            <${TextField} name="sourceGuard.maxDropPercent" label="Source guard: largest drop since the last full run (percent)" type="number"
              min=${0} max=${100} step="any" value=${v['sourceGuard.maxDropPercent']} error=${e['sourceGuard.maxDropPercent']} />
          </div>`
          : null
      }
    </fieldset>
    </fieldset>
    ${e[''] ? html`<p class="field-error" role="alert">${e['']}</p>` : null}
    ${
      props.readOnly
        ? null
        : html`<div class="actions">
          <button type="submit" name="intent" value="save" class="button button-primary">Save</button>
          <button type="submit" name="intent" value="reconcile" class="button">Save and reconcile</button>
          <button type="submit" name="intent" value="dryrun" class="button">Save and dry run</button>
        </div>`
    }
  </form>`;
}
