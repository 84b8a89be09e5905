import { html } from '../html.ts';

/** "2026-12-01 08:50:07 UTC": to the second, with the zone, so runs and acts can be told apart. */
export function formatTime(iso: string | Date | null | undefined): string {
  if (!iso) return '—';
  const date = typeof iso === 'string' ? new Date(iso) : iso;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** "5 min ago" / "in 3 h", relative to now. */
export function relativeTime(iso: string | Date, now = Date.now()): string {
  const at = typeof iso === 'string' ? Date.parse(iso) : iso.getTime();
  const seconds = Math.round((at - now) / 1000);
  const abs = Math.abs(seconds);
  const [value, unit] =
    abs < 60
      ? [abs, 's']
      : abs < 3600
        ? [Math.round(abs / 60), 'min']
        : abs < 86_400
          ? [Math.round(abs / 3600), 'h']
          : [Math.round(abs / 86_400), 'd'];
  return seconds < 0 ? `${value} ${unit} ago` : `in ${value} ${unit}`;
}

export function Time(props: { at: string | Date | null | undefined; relative?: boolean }) {
  if (!props.at) return html`<span class="muted">—</span>`;
  const iso = typeof props.at === 'string' ? props.at : props.at.toISOString();
  return html`<time datetime=${iso} title=${formatTime(iso)}>${props.relative ? relativeTime(iso) : formatTime(iso)}</time>`;
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
