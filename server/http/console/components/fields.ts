import { type Html, html } from '../html.ts';

/**
 * Form controls, each with its label, an optional hint and the error the last submit found,
 * tied together with aria-describedby so a screen reader reads them with the control.
 */
type Common = {
  name: string;
  label: string;
  hint?: string | undefined;
  error?: string | undefined;
  id?: string;
  /** In a table whose column header already says what the control is: the label is for screen readers. */
  hideLabel?: boolean;
};

function idOf(props: Common) {
  return props.id ?? `f-${props.name.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

function Help(props: Common & { id: string }) {
  return html`${props.hint ? html`<p class="hint" id=${`${props.id}-hint`}>${props.hint}</p>` : null}${
    props.error
      ? html`<p class="field-error" id=${`${props.id}-error`} role="alert">${props.error}</p>`
      : null
  }`;
}

function describedBy(props: Common, id: string): string | undefined {
  const ids = [props.hint ? `${id}-hint` : null, props.error ? `${id}-error` : null].filter(Boolean);
  return ids.length > 0 ? ids.join(' ') : undefined;
}

export function TextField(
  props: Common & {
    value?: string | number | null | undefined;
    type?: 'text' | 'password' | 'email' | 'number' | 'url' | 'datetime-local';
    required?: boolean;
    placeholder?: string | undefined;
    autocomplete?: string;
    step?: string;
    min?: number | undefined;
    max?: number | undefined;
    readonly?: boolean;
  },
) {
  const id = idOf(props);
  return html`<div class=${props.error ? 'field has-error' : 'field'}>
    <span class="label-row"><label for=${id} class=${props.hideLabel ? 'visually-hidden' : undefined}>${props.label}</label>${props.required ? html`<span class="req" aria-hidden="true">required</span>` : null}</span>
    <input id=${id} name=${props.name} type=${props.type ?? 'text'} value=${props.value ?? ''}
      required=${props.required ?? false} placeholder=${props.placeholder} autocomplete=${props.autocomplete ?? 'off'}
      step=${props.step} min=${props.min} max=${props.max} readonly=${props.readonly ?? false}
      aria-invalid=${props.error ? 'true' : undefined} aria-describedby=${describedBy(props, id)} />
    <${Help} ...${props} id=${id} />
  </div>`;
}

export type Option = { value: string; label?: string };

export function SelectField(
  props: Common & {
    value?: string | null | undefined;
    options: Option[];
    blank?: string;
    required?: boolean;
  },
) {
  const id = idOf(props);
  return html`<div class=${props.error ? 'field has-error' : 'field'}>
    <label for=${id} class=${props.hideLabel ? 'visually-hidden' : undefined}>${props.label}</label>
    <select id=${id} name=${props.name} required=${props.required ?? false}
      aria-invalid=${props.error ? 'true' : undefined} aria-describedby=${describedBy(props, id)}>
      ${props.blank !== undefined ? html`<option value="" selected=${!props.value}>${props.blank}</option>` : null}
      ${props.options.map(
        (o) =>
          html`<option value=${o.value} selected=${o.value === props.value}>${o.label ?? o.value}</option>`,
      )}
    </select>
    <${Help} ...${props} id=${id} />
  </div>`;
}

export function CheckboxField(props: Common & { checked: boolean }) {
  const id = idOf(props);
  return html`<div class=${props.error ? 'field field-check has-error' : 'field field-check'}>
    <input id=${id} name=${props.name} type="checkbox" value="true" checked=${props.checked}
      aria-describedby=${describedBy(props, id)} />
    <label for=${id}>${props.label}</label>
    <${Help} ...${props} id=${id} />
  </div>`;
}

export function TextArea(
  props: Common & { value?: string | null | undefined; rows?: number; code?: boolean; required?: boolean },
) {
  const id = idOf(props);
  return html`<div class=${props.error ? 'field has-error' : 'field'}>
    <label for=${id}>${props.label}</label>
    <textarea id=${id} name=${props.name} rows=${props.rows ?? 4} class=${props.code ? 'code' : undefined}
      spellcheck=${props.code ? 'false' : undefined} required=${props.required ?? false}
      aria-invalid=${props.error ? 'true' : undefined} aria-describedby=${describedBy(props, id)}>${props.value ?? ''}</textarea>
    <${Help} ...${props} id=${id} />
  </div>`;
}

export function CsrfField(props: { csrf: string }) {
  return html`<input type="hidden" name="_csrf" value=${props.csrf} />`;
}

/** A one-button form, for an action on a row ("Apply this plan", "Test connection"). */
export function PostButton(props: {
  action: string;
  csrf: string;
  label: string;
  fields?: Record<string, string>;
  kind?: 'primary' | 'secondary' | 'danger';
  confirm?: string;
}): Html {
  return html`<form method="post" action=${props.action} class="inline-form" data-confirm=${props.confirm}>
    <${CsrfField} csrf=${props.csrf} />
    ${Object.entries(props.fields ?? {}).map(([name, value]) => html`<input type="hidden" name=${name} value=${value} />`)}
    <button type="submit" class=${`button button-${props.kind ?? 'secondary'}`}>${props.label}</button>
  </form>`;
}

/** A message after an action: success, or a problem that is not tied to one field. */
export function Notice(props: { tone: 'ok' | 'bad' | 'info'; children?: unknown }) {
  return html`<div class=${`notice notice-${props.tone}`} role=${props.tone === 'bad' ? 'alert' : 'status'}>${props.children}</div>`;
}
