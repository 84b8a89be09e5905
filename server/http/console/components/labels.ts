import type { Response, Situation } from '../../../core/model.ts';
import type { IdmAct } from '../../../db/schema/idm-acts.ts';
import { html } from '../html.ts';

/**
 * The one table of words a person reads for the engine's codes: situations, responses (and the
 * decisions a person records on a dispute), and acts on IDM objects by hand.
 */
export const situationLabels: Record<Situation, string> = {
  IDM_EXISTS__RESOURCE_EXISTS: 'In the IDM and on the system',
  IDM_EXISTS__RESOURCE_NOT_EXISTS: 'In the IDM, no account',
  IDM_NOT_EXISTS__RESOURCE_EXISTS: 'Account not in the IDM (orphan)',
  IDM_DELETED__RESOURCE_EXISTS: 'Deleted in the IDM, account remains',
  DISPUTED: 'Several IDM matches (disputed)',
};

export const responseLabels: Record<Response | 'LINKED_BY_PERSON' | 'DISMISSED', string> = {
  DO_NOTHING: 'Do nothing',
  ADD_TO_IDM: 'Add to the IDM',
  UPDATE_IDM_FROM_RESOURCE: 'Update the IDM from the system',
  DELETE_FROM_IDM: 'Delete from the IDM',
  DISABLE_IN_IDM: 'Disable in the IDM',
  ADD_TO_RESOURCE: 'Create the account',
  UPDATE_RESOURCE_FROM_IDM: 'Update the account from the IDM',
  DELETE_FROM_RESOURCE: 'Delete the account',
  DISABLE_IN_RESOURCE: 'Disable the account',
  LINKED_BY_PERSON: 'Linked by a person',
  DISMISSED: 'Dismissed by a person',
};

export const actLabels: Record<IdmAct, string> = {
  enabled: 'Enabled by hand',
  disabled: 'Disabled by hand',
  linked: 'Linked by hand',
  unlinked: 'Unlinked by hand',
};

const labelOf = (table: Record<string, string>, code: string | null | undefined) =>
  code ? (table[code] ?? code.replaceAll('_', ' ').toLowerCase()) : null;

export const situationLabel = (code: string | null | undefined) => labelOf(situationLabels, code);

/** A response's words; an undo plan's `UNDO_<response>` reads "Undo: <the response's words>". */
export function responseLabel(code: string | null | undefined): string | null {
  if (!code?.startsWith('UNDO_')) return labelOf(responseLabels, code);
  const undone = responseLabel(code.slice(5)) ?? '';
  return `Undo: ${undone.charAt(0).toLowerCase()}${undone.slice(1)}`;
}

/** An option of a select of codes: the words, with the code in brackets. */
export const codedOption = (code: string, label: string | null) => ({
  value: code,
  label: `${label} (${code})`,
});

/** A label with its code beside it, for pages where integrators match what they configured. */
export function Coded(props: { label: string | null; code: string | null | undefined }) {
  if (!props.code) return html`<span class="muted">—</span>`;
  return html`${props.label} <code class="code-beside">${props.code}</code>`;
}
