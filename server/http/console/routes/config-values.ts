import { situations } from '../../../core/model.ts';
import { type ConfigInput, type ConfigView, configFieldNames } from '../adapters/configs.ts';
import type { FormFields } from '../form-fields.ts';
import type { ConfigFormValues } from '../pages/config-form.ts';

/** The text fields of the form, each named like the config field it edits. */
const textFields = [
  'name',
  'targetSearchFilter',
  'sourceAttributeName',
  'idmCustomAttribute',
  'updatedSince',
  'entitlementAttribute',
] as const;
const choiceFields = [
  'objectType',
  'status',
  'timezone',
  'reportFormat',
  'idmField',
  'targetQueryPolicy',
  'idmQueryPolicy',
  'matchingPolicy',
  'preProcessorPolicy',
  'postProcessorPolicy',
  'customProcessorPolicy',
] as const;

const text = (value: unknown) => (value === null || value === undefined ? '' : String(value));

/** A config as the editor shows it. */
export function valuesOfConfig(config: ConfigView | null, systemTrusted = false): ConfigFormValues {
  const guard = (
    config as (ConfigView & { sourceGuard?: { minAccounts?: number; maxDropPercent?: number } | null }) | null
  )?.sourceGuard;
  const values: ConfigFormValues = { situations: {}, sync: [], text: {} };
  const t = values.text;
  Object.assign(t, {
    objectType: 'User',
    status: 'active',
    timezone: 'UTC',
    reportFormat: 'html',
    frequency: '',
    sendDoNothingReport: 'false',
    staleDays: '0',
    'sourceGuard.enabled': guard === null ? 'false' : 'true',
    'sourceGuard.minAccounts': guard ? text(guard.minAccounts) : config ? '' : '1',
    'sourceGuard.maxDropPercent': guard ? text(guard.maxDropPercent) : '',
  });
  if (!config) {
    if (systemTrusted)
      values.situations.IDM_NOT_EXISTS__RESOURCE_EXISTS = {
        response: 'ADD_TO_IDM',
        populationPolicy: '',
        commandPolicy: '',
      };
    return values;
  }
  for (const name of [...textFields, ...choiceFields]) t[name] = text(config[name]);
  const email = (config as { notificationEmail: unknown }).notificationEmail;
  t.notificationEmail = Array.isArray(email) ? email.join(', ') : text(email);
  t.frequency = text(config.frequency);
  t.sendDoNothingReport = String(config.sendDoNothingReport);
  t.idmSearchFilter = config.idmSearchFilter ? JSON.stringify(config.idmSearchFilter) : '';
  t.policyMap = config.policyMap.join('\n');
  t['deletionThreshold.count'] = text(config.deletionThreshold.count);
  t['deletionThreshold.percent'] = text(config.deletionThreshold.percent);
  t.staleDays = text(config.staleDays);
  for (const situation of situations) {
    const rule = config.situations[situation];
    values.situations[situation] = {
      response: rule?.response ?? 'DO_NOTHING',
      populationPolicy: text(rule?.populationPolicy),
      commandPolicy: text(rule?.commandPolicy),
    };
  }
  values.sync = Object.entries(config.attributeSync).map(([attribute, rule]) => ({
    attribute,
    direction: rule.direction,
    confidence: text(rule.confidence),
  }));
  return values;
}

/** A number field: blank is "not set", anything else goes to the schema to judge. */
function numberOf(value: string | undefined): number | string | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : value;
}

function jsonOf(value: string | undefined): unknown {
  if (value === undefined) return null;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** What a submitted editor form asks for, as the configs use case takes it, and its values to show again. */
export function readConfigForm(form: FormFields): { input: ConfigInput; values: ConfigFormValues } {
  const values: ConfigFormValues = { situations: {}, sync: [], text: {} };
  const t = values.text;
  for (const name of form.names()) {
    if (name !== '_csrf' && name !== 'intent') t[name] = form.raw(name) ?? '';
  }
  t.sendDoNothingReport = String(form.text('sendDoNothingReport') === 'true');
  t['sourceGuard.enabled'] = String(form.text('sourceGuard.enabled') === 'true');
  const frequencyChoice = form.text('frequency');
  const frequency =
    frequencyChoice === 'cron' ? (form.text('frequencyCron') ?? '') : (frequencyChoice ?? null);
  t.frequency = frequency ?? '';

  const input: Record<string, unknown> = {};
  for (const name of textFields) input[name] = form.text(name) ?? null;
  for (const name of choiceFields) input[name] = form.text(name) ?? null;
  for (const name of ['objectType', 'status', 'timezone', 'reportFormat'] as const) {
    if (input[name] === null) delete input[name];
  }
  input.frequency = frequency;
  const emails = (form.text('notificationEmail') ?? '').split(/[,;\s]+/).filter(Boolean);
  input.notificationEmail = emails.length === 0 ? null : emails.length === 1 ? emails[0] : emails;
  input.sendDoNothingReport = t.sendDoNothingReport === 'true';
  input.idmSearchFilter = jsonOf(form.text('idmSearchFilter'));
  input.policyMap = (form.raw('policyMap') ?? '')
    .split('\n')
    .map((a) => a.trim())
    .filter(Boolean);
  const count = numberOf(form.text('deletionThreshold.count'));
  const percent = numberOf(form.text('deletionThreshold.percent'));
  input.deletionThreshold = {
    ...(count === undefined ? {} : { count }),
    ...(percent === undefined ? {} : { percent }),
  };
  input.staleDays = numberOf(form.text('staleDays')) ?? 0;
  if (form.text('sourceGuard.enabled') === 'true') {
    const minAccounts = numberOf(form.text('sourceGuard.minAccounts'));
    const maxDropPercent = numberOf(form.text('sourceGuard.maxDropPercent'));
    input.sourceGuard = {
      ...(minAccounts === undefined ? {} : { minAccounts }),
      ...(maxDropPercent === undefined ? {} : { maxDropPercent }),
    };
  } else {
    input.sourceGuard = null;
  }

  const rules: Record<string, unknown> = {};
  for (const situation of situations) {
    const name = `situations.${situation}`;
    const row = {
      response: form.text(`${name}.response`) ?? 'DO_NOTHING',
      populationPolicy: form.text(`${name}.populationPolicy`) ?? '',
      commandPolicy: form.text(`${name}.commandPolicy`) ?? '',
    };
    values.situations[situation] = row;
    rules[situation] = {
      response: row.response,
      populationPolicy: row.populationPolicy || null,
      commandPolicy: row.commandPolicy || null,
    };
  }
  input.situations = rules;

  const sync: Record<string, unknown> = {};
  for (let i = 0; form.has(`sync.${i}.attribute`); i++) {
    const attribute = form.text(`sync.${i}.attribute`);
    if (!attribute) continue;
    const direction = form.text(`sync.${i}.direction`) ?? 'toIdm';
    const confidence = numberOf(form.text(`sync.${i}.confidence`));
    values.sync.push({ attribute, direction, confidence: form.text(`sync.${i}.confidence`) ?? '' });
    sync[attribute] = { direction, ...(confidence === undefined ? {} : { confidence }) };
  }
  input.attributeSync = sync;

  // Only the fields this server's configs have: a field another part of trueup adds appears by itself.
  for (const name of Object.keys(input)) if (!configFieldNames.has(name)) delete input[name];
  return { input: input as ConfigInput, values };
}

/** Where on the form a problem the schema found belongs. */
export function fieldOfIssue(path: string): string {
  if (path.startsWith('attributeSync')) return 'attributeSync';
  return path;
}
