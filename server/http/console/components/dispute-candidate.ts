import type { DisputeView } from '../adapters/disputes.ts';
import { html } from '../html.ts';

export type Candidate = DisputeView['candidates'][number];

const shown = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/** What a person calls a candidate: its name, or its id when the dispute did not keep one. */
export const candidateName = (candidate: Candidate) =>
  candidate.name ?? `IDM object ${candidate.idmObjectId}`;

/** The attributes people tell IDM objects apart by: the recon key's, then login, email, employee id. */
export function keyAttributeNames(reconKey: string | null): string[] {
  return [...new Set([...(reconKey ? [reconKey] : []), 'login', 'email', 'employeeId'])];
}

/** Attributes as a definition list; `highlight` marks the one the recon key compares. */
export function AttributeList(props: {
  values: Record<string, unknown>;
  names?: string[];
  label: string;
  highlight?: string | null;
}) {
  const names = props.names ?? Object.keys(props.values);
  const entries = names.filter((n) => props.values[n] !== undefined && props.values[n] !== null);
  if (entries.length === 0) return html`<p class="muted">no ${props.names ? 'key ' : ''}attributes</p>`;
  return html`<dl class="facts" aria-label=${props.label}>${entries.map(
    (
      name,
    ) => html`<dt>${name}${name === props.highlight ? html` <span class="muted">(recon key)</span>` : null}</dt>
      <dd>${shown(props.values[name])}</dd>`,
  )}</dl>`;
}

/** A score as people read it: the number, or why there is none. */
export function Score(props: { score: number | null }) {
  return props.score === null
    ? html`<span class="muted">no score (matched by the recon key)</span>`
    : html`score <strong>${Number.isInteger(props.score) ? props.score : props.score.toFixed(2)}</strong>`;
}
