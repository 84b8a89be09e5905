import type { Explanation } from '../adapters/activity.ts';
import { html } from '../html.ts';
import { Coded, responseLabel, situationLabel } from './labels.ts';

const shown = (value: unknown) =>
  value === undefined || value === null ? '—' : typeof value === 'string' ? value : JSON.stringify(value);

/** A gate's setting as the config holds it (`minAccounts 1`); an empty one is the gate left off. */
const setting = (value: unknown) => {
  if (value === null || value === undefined) return 'not set';
  if (typeof value !== 'object') return String(value);
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return 'not set';
  return entries.map(([name, v]) => `${name} ${shown(v)}`).join(', ');
};

/** A flat object of plain values, shown as a list (a matching rule's scores); null for anything else. */
function flatEntries(output: unknown): Array<[string, string | number | boolean | null]> | null {
  if (!output || typeof output !== 'object' || Array.isArray(output)) return null;
  const entries = Object.entries(output as Record<string, unknown>);
  const plain = (v: unknown): v is string | number | boolean | null =>
    v === null || ['string', 'number', 'boolean'].includes(typeof v);
  return entries.length > 0 && entries.length <= 50 && entries.every(([, v]) => plain(v))
    ? (entries as Array<[string, string | number | boolean | null]>)
    : null;
}

const short = (hash: string | null) => (hash ? hash.slice(0, 12) : 'not recorded');

/** The event page's "Why?" panel (docs/api.md `GET /api/runs/:id/events/:eventId/explain`). */
export function WhyPanel(props: { why: Explanation }) {
  const { why } = props;
  const { correlation } = why;
  const names = new Map(correlation.candidates.map((c) => [c.idmObjectId, c.name]));
  return html`<section class="panel why" aria-labelledby="why-h">
    <h2 id="why-h">Why?</h2>
    <p><strong>${correlation.summary}</strong></p>
    ${
      correlation.reconKey
        ? html`<p>Recon key: <code>${correlation.reconKey.accountAttribute}</code> = <code>${shown(correlation.reconKey.value)}</code> ↔ IDM <code>${correlation.reconKey.idmAttribute}</code></p>`
        : null
    }
    ${
      correlation.matchingRule
        ? html`<p>Matching rule: <a href=${`/policies/edit?path=${encodeURIComponent(correlation.matchingRule.path)}`}><code>${correlation.matchingRule.path}</code></a> version <code>${short(correlation.matchingRule.hash)}</code>${
            correlation.ruleKeys?.length
              ? html`, the account's keys ${correlation.ruleKeys.map((k, i) => html`${i > 0 ? ', ' : ''}<code>${k}</code>`)}`
              : null
          }</p>`
        : null
    }
    <h3>Candidates</h3>
    ${
      correlation.candidates.length === 0
        ? html`<p class="muted">No IDM object was a candidate.</p>`
        : html`<div class="table-wrap"><table>
          <caption class="visually-hidden">Candidates with their scores</caption>
          <thead><tr><th scope="col">IDM object</th><th scope="col">Name</th><th scope="col" class="num">Score</th><th scope="col">Chosen</th></tr></thead>
          <tbody>${correlation.candidates.map(
            (c) => html`<tr><th scope="row"><code>${c.idmObjectId}</code></th><td>${c.name ?? '—'}</td>
              <td class="num">${c.score ?? '—'}</td><td>${c.chosen ? 'yes' : 'no'}</td></tr>`,
          )}</tbody></table></div>`
    }
    <h3>Situation and response</h3>
    ${
      why.rule
        ? html`<p>Situation <${Coded} label=${situationLabel(why.rule.situation)} code=${why.rule.situation} /> → response <${Coded} label=${responseLabel(why.rule.response)} code=${why.rule.response} /> (the config's table row${why.rule.populationPolicy ? html`, population <code>${why.rule.populationPolicy}</code>` : null}${why.rule.commandPolicy ? html`, command <code>${why.rule.commandPolicy}</code>` : null}).${why.response && why.response !== why.rule.response ? html` The event's response was <${Coded} label=${responseLabel(why.response)} code=${why.response} />.` : null}</p>`
        : html`<p class="muted">Situation <${Coded} label=${situationLabel(why.situation)} code=${why.situation} />, response <${Coded} label=${responseLabel(why.response)} code=${why.response} />${why.configRecorded ? '' : ' (the run did not record its config)'}.</p>`
    }
    <h3>Policies called</h3>
    ${
      why.policies.length === 0
        ? html`<p class="muted">No policy decided this event.</p>`
        : html`<ul>${why.policies.map(
            (p) =>
              html`<li>${p.role}: <code>${p.path}</code> version <code>${short(p.hash)}</code>${PolicyOutput({ output: p.output, names })}</li>`,
          )}</ul>`
    }
    <h3>Attributes</h3>
    ${
      why.attributes.length === 0
        ? html`<p class="muted">No attribute was decided.</p>`
        : html`<div class="table-wrap"><table>
          <caption class="visually-hidden">How each attribute was decided</caption>
          <thead><tr><th scope="col">Attribute</th><th scope="col">Value</th><th scope="col">Direction</th><th scope="col" class="num">Confidence</th><th scope="col">Decision</th></tr></thead>
          <tbody>${why.attributes.map(
            (
              a,
            ) => html`<tr><th scope="row"><code>${a.name}</code></th><td>${shown(a.before)} → ${shown(a.after)}</td>
              <td>${a.direction}</td><td class="num">${a.confidence}</td>
              <td>${a.decision === 'written' ? 'written' : 'held back: a more confident system set it'}</td></tr>`,
          )}</tbody></table></div>`
    }
    <h3>Gates</h3>
    <ul>${why.gates.map(
      (g) =>
        html`<li><code>${g.gate}</code> ${setting(g.setting)}: <strong>${g.result.replace('_', ' ')}</strong> — ${g.message}</li>`,
    )}</ul>
  </section>`;
}

/**
 * What a policy returned: a flat object as a list of names and values (an IDM object id named by
 * its candidate's name), anything else as indented JSON.
 */
function PolicyOutput(props: { output: unknown; names: Map<string, string | null> }) {
  const entries = flatEntries(props.output);
  if (!entries) return html`<pre>${JSON.stringify(props.output, null, 2)}</pre>`;
  return html`<dl class="facts">${entries.map(([name, value]) => {
    const known = props.names.get(name);
    return html`<dt>${known ? html`${known} <code class="muted">${name.slice(0, 8)}</code>` : html`<code>${name}</code>`}</dt><dd>${shown(value)}</dd>`;
  })}</dl>`;
}
