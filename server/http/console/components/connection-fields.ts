import { maskedSecret } from '../../../secrets.ts';
import type { ConnectorForm, JsonSchema } from '../adapters/connectors.ts';
import type { FormFields } from '../form-fields.ts';
import { html } from '../html.ts';
import { CheckboxField, SelectField, TextArea, TextField } from './fields.ts';

/**
 * A connector's settings form, generated from its settings schema (JSON Schema of the
 * connector's own zod schema): one control per setting, nested settings as fieldsets, secrets as
 * password fields that are never filled in.
 */
type Kind = 'text' | 'number' | 'boolean' | 'enum' | 'lines' | 'object' | 'json';

function kindOf(schema: JsonSchema): Kind {
  if (schema.enum) return 'enum';
  if (schema.type === 'string') return 'text';
  if (schema.type === 'integer' || schema.type === 'number') return 'number';
  if (schema.type === 'boolean') return 'boolean';
  if (schema.type === 'array' && schema.items?.type === 'string') return 'lines';
  if (schema.type === 'object' && schema.properties && !schema.additionalProperties) return 'object';
  return 'json';
}

/** "bindPassword" → "Bind password", "tlsOptions.ca" → "CA". */
function labelOf(name: string): string {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/Ms$/, ' (ms)');
  const text = words.toLowerCase().replace(/\b(dn|ssl|tls|ca|url|sql|id)\b/g, (w) => w.toUpperCase());
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function hintOf(schema: JsonSchema, required: boolean): string | undefined {
  const parts: string[] = [];
  if (schema.description) parts.push(schema.description);
  if (schema.default !== undefined && typeof schema.default !== 'object')
    parts.push(`default ${JSON.stringify(schema.default)}`);
  if (schema.minimum !== undefined && schema.maximum !== undefined)
    parts.push(`${schema.minimum}–${schema.maximum}`);
  if (!required && parts.length === 0) parts.push('optional');
  return parts.length > 0 ? parts.join('; ') : undefined;
}

export type FieldErrors = Record<string, string>;

function Setting(props: {
  name: string;
  path: string;
  schema: JsonSchema;
  required: boolean;
  value: unknown;
  secret: boolean;
  editing: boolean;
  errors: FieldErrors;
}): unknown {
  const { schema, path, value } = props;
  const field = `connection.${path}`;
  const common = {
    name: field,
    label: labelOf(props.name),
    hint: hintOf(schema, props.required),
    error: props.errors[field],
  };
  switch (kindOf(schema)) {
    case 'text':
      if (props.secret) {
        return html`<${TextField} ...${common} type="password" value="" autocomplete="new-password"
          hint=${props.editing && value === maskedSecret ? 'A value is stored and never shown. Leave blank to keep it.' : common.hint} />`;
      }
      return html`<${TextField} ...${common} value=${typeof value === 'string' ? value : ''} required=${props.required} />`;
    case 'number':
      return html`<${TextField} ...${common} type="number" value=${typeof value === 'number' ? value : ''}
        min=${schema.minimum} max=${schema.maximum} required=${props.required} />`;
    case 'boolean':
      return html`<${CheckboxField} ...${common} checked=${typeof value === 'boolean' ? value : schema.default === true} />`;
    case 'enum':
      return html`<${SelectField} ...${common} value=${typeof value === 'string' ? value : undefined}
        blank=${props.required ? undefined : '(default)'} required=${props.required}
        options=${(schema.enum ?? []).map((v) => ({ value: String(v) }))} />`;
    case 'lines':
      return html`<${TextArea} ...${common} rows=${3} hint=${`one per line${common.hint ? `; ${common.hint}` : ''}`}
        value=${Array.isArray(value) ? value.join('\n') : ''} />`;
    case 'object':
      return html`<fieldset><legend>${common.label}</legend>
        ${Object.entries(schema.properties ?? {}).map(
          ([name, child]) => html`<${Setting} name=${name} path=${`${path}.${name}`} schema=${child}
            required=${(schema.required ?? []).includes(name)} secret=${false} editing=${props.editing} errors=${props.errors}
            value=${value && typeof value === 'object' ? (value as Record<string, unknown>)[name] : undefined} />`,
        )}
      </fieldset>`;
    case 'json':
      return html`<${TextArea} ...${common} rows=${3} code=${true} hint=${`JSON${common.hint ? `; ${common.hint}` : ''}`}
        value=${value === undefined ? '' : JSON.stringify(value, null, 2)} />`;
  }
}

export function ConnectionFields(props: {
  connector: ConnectorForm;
  values: Record<string, unknown>;
  editing: boolean;
  errors: FieldErrors;
}) {
  const { schema, secrets } = props.connector;
  return html`<fieldset>
    <legend>Connection (${props.connector.type})</legend>
    <div class="fields-2">
      ${Object.entries(schema.properties ?? {}).map(
        ([name, child]) => html`<${Setting} name=${name} path=${name} schema=${child}
          required=${(schema.required ?? []).includes(name)} secret=${secrets.includes(name)} editing=${props.editing}
          value=${props.values[name]} errors=${props.errors} />`,
      )}
    </div>
  </fieldset>`;
}

function readSetting(form: FormFields, field: string, schema: JsonSchema): unknown {
  switch (kindOf(schema)) {
    case 'text':
    case 'enum':
      return form.text(field);
    case 'number': {
      const text = form.text(field);
      if (text === undefined) return undefined;
      const n = Number(text);
      return Number.isFinite(n) ? n : text;
    }
    case 'boolean':
      return form.text(field) === 'true';
    case 'lines': {
      const lines = (form.raw(field) ?? '')
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
      return lines.length > 0 ? lines : undefined;
    }
    case 'object': {
      const value: Record<string, unknown> = {};
      for (const [name, child] of Object.entries(schema.properties ?? {})) {
        const v = readSetting(form, `${field}.${name}`, child);
        if (v !== undefined) value[name] = v;
      }
      return Object.keys(value).length > 0 ? value : undefined;
    }
    case 'json': {
      const text = form.text(field);
      if (text === undefined) return undefined;
      try {
        return JSON.parse(text);
      } catch {
        return text;
      }
    }
  }
}

/**
 * The connection a submitted form describes. Editing (`stored` is the system's masked
 * connection), a blank secret keeps the stored one (the mask stands for it) and a cleared setting
 * is removed (`null`).
 */
export function connectionFromForm(
  form: FormFields,
  connector: ConnectorForm,
  stored: Record<string, unknown> | null,
): Record<string, unknown> {
  const connection: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(connector.schema.properties ?? {})) {
    const value = readSetting(form, `connection.${name}`, schema);
    if (value !== undefined) connection[name] = value;
    else if (stored) connection[name] = stored[name] === maskedSecret ? maskedSecret : null;
  }
  return connection;
}
