import type { ChangedObject, OutcomeDiff, OutcomeSide } from '../../../core/outcome-diff.ts';
import { html } from '../html.ts';
import { responseLabel, situationLabel } from './labels.ts';

function Side(props: { side: OutcomeSide | null; other: OutcomeSide | null }) {
  const { side, other } = props;
  if (!side) return html`<span class="muted">not decided</span>`;
  const names = Object.keys(side.diff ?? {});
  return html`<div><span title=${side.situation ?? undefined}>${situationLabel(side.situation) ?? '—'}</span> → <strong title=${side.response ?? undefined}>${responseLabel(side.response) ?? '—'}</strong></div>
    ${side.error ? html`<div class="badge badge-bad">failed: ${side.error}</div>` : null}
    ${
      names.length > 0
        ? html`<ul class="plain">${names.map((name) => {
            const value = JSON.stringify(side.diff?.[name]?.after ?? null);
            const differs = JSON.stringify(other?.diff?.[name]?.after ?? null) !== value;
            return html`<li class=${differs ? 'diff-changed' : undefined}><code>${name}</code> = <code>${value}</code></li>`;
          })}</ul>`
        : null
    }`;
}

function Row(props: { entry: ChangedObject }) {
  const { entry } = props;
  return html`<tr>
    <th scope="row"><code>${entry.objectKey}</code>${entry.idmChangedSince ? html`<div class="hint">IDM object written since</div>` : null}</th>
    <td class="diff-cell">${entry.changes.join(', ')}</td>
    <td class="diff-cell"><${Side} side=${entry.before} other=${entry.after} /></td>
    <td class="diff-cell"><${Side} side=${entry.after} other=${entry.before} /></td>
  </tr>`;
}

/** An outcome diff (core/outcome-diff.ts): its counts, and the changed objects side by side. */
export function OutcomeDiffView(props: { diff: OutcomeDiff; beforeLabel: string; afterLabel: string }) {
  const { counts } = props.diff;
  const figures: Array<[string, number]> = [
    ['changed', counts.changed],
    ['situation', counts.situation],
    ['response', counts.response],
    ['attributes', counts.attributes],
    ['errors', counts.errors],
    ['new', counts.new],
    ['gone', counts.gone],
  ];
  return html`<ul class="counts">${figures.map(([name, n]) => html`<li><span class="n">${n}</span><span class="k">${name}</span></li>`)}</ul>
    <p class="muted">${counts.changed} of ${counts.before} objects decided differently${
      counts.idmChangedSince > 0
        ? `; ${counts.idmChangedSince} of them have an IDM object written in between, which may account for part of their change`
        : ''
    }.</p>
    ${
      props.diff.changed.length === 0
        ? null
        : html`<div class="table-wrap"><table>
          <thead><tr><th scope="col">Object</th><th scope="col">What changed</th><th scope="col">${props.beforeLabel}</th><th scope="col">${props.afterLabel}</th></tr></thead>
          <tbody>${props.diff.changed.map((entry) => html`<${Row} entry=${entry} />`)}</tbody>
        </table></div>`
    }
    ${props.diff.truncated ? html`<p class="hint">The first ${props.diff.changed.length} of ${counts.changed} changed objects are listed.</p>` : null}`;
}
