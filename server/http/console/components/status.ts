import { html } from '../html.ts';

/** How a status reads at a glance: good, bad, waiting for a person, or in flight. */
const tone: Record<string, 'ok' | 'bad' | 'hold' | 'busy' | 'plain'> = {
  succeeded: 'ok',
  applied: 'ok',
  ok: 'ok',
  failed: 'bad',
  succeeded_with_errors: 'bad',
  aborted_by_preprocessor: 'bad',
  error: 'bad',
  stopped_by_threshold: 'hold',
  stopped_by_guard: 'hold',
  skipped: 'hold',
  open: 'hold',
  resolved: 'ok',
  // IDM objects and accounts
  active: 'ok',
  linked: 'ok',
  disabled: 'hold',
  orphan: 'hold',
  disputed: 'hold',
  deleted: 'bad',
  queued: 'busy',
  running: 'busy',
  planned: 'busy',
};

export function StatusBadge(props: { status: string; label?: string }) {
  return html`<span class=${`badge badge-${tone[props.status] ?? 'plain'}`}>${props.label ?? props.status.replaceAll('_', ' ')}</span>`;
}
