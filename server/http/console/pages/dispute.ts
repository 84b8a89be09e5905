import { reconKeyIdmAttribute } from '../../../core/recon-config.ts';
import type { ConfigView } from '../adapters/configs.ts';
import type { DisputeView } from '../adapters/disputes.ts';
import {
  AttributeList,
  type Candidate,
  candidateName,
  keyAttributeNames,
  Score,
} from '../components/dispute-candidate.ts';
import { Notice, PostButton } from '../components/fields.ts';
import { StatusBadge } from '../components/status.ts';
import { Time } from '../components/time.ts';
import type { PageContext } from '../console-env.ts';
import { html } from '../html.ts';
import { Layout } from '../layout.ts';
import { configLabel } from './runs.ts';

/** The IDM page of a candidate (its type is the config's object type). */
const idmHref = (config: ConfigView | undefined, id: string) =>
  config ? `/idm/${config.objectType.toLowerCase()}s/${id}` : null;

function NameOf(props: { config: ConfigView | undefined; candidate: Candidate }) {
  const href = idmHref(props.config, props.candidate.idmObjectId);
  const name = candidateName(props.candidate);
  return href ? html`<a href=${href}>${name}</a>` : name;
}

/** What was decided, by whom and when; nothing while the dispute is open. */
function Decision(props: { dispute: DisputeView; config: ConfigView | undefined }) {
  const { dispute } = props;
  if (dispute.status === 'open') return null;
  const who = html`by <strong>${dispute.decidedBy ?? 'someone'}</strong>${dispute.decidedAt ? html`, <${Time} at=${dispute.decidedAt} />` : null}`;
  if (dispute.status === 'dismissed')
    return html`<${Notice} tone="info">Dismissed ${who}: the account was left unlinked.</${Notice}>`;
  const chosen = dispute.candidates.find((c) => c.idmObjectId === dispute.idmObjectId);
  return html`<${Notice} tone="ok">Linked to ${
    chosen
      ? html`<${NameOf} config=${props.config} candidate=${chosen} /> (<${Score} score=${chosen.score} />)`
      : html`<code>${dispute.idmObjectId}</code>`
  } ${who}.</${Notice}>`;
}

export function DisputePage(props: {
  page: PageContext;
  dispute: DisputeView;
  config: ConfigView | undefined;
  problem?: string | undefined;
}) {
  const { page, dispute, config } = props;
  const canResolve = dispute.status === 'open' && page.can('resolveDisputes');
  const reconKey = config ? reconKeyIdmAttribute(config) : null;
  const accountKey = config?.sourceAttributeName ?? null;
  const keys = keyAttributeNames(reconKey);
  const candidates = [...dispute.candidates].sort((a, b) => (b.score ?? 0) - (a.score ?? 0));
  // Two candidates of one name are told apart on their buttons by their ids.
  const names = candidates.map(candidateName);
  const buttonName = (c: Candidate, i: number) =>
    names.indexOf(names[i] as string) === names.lastIndexOf(names[i] as string)
      ? candidateName(c)
      : `${candidateName(c)} (${c.idmObjectId})`;
  return Layout({
    page,
    title: `Dispute: ${dispute.objectKey}`,
    wide: true,
    children: html`
      <p class="muted">${configLabel(config)} · opened by ${dispute.runId ? html`<a href=${`/runs/${dispute.runId}`}>a run</a>` : 'a run'} · <${StatusBadge} status=${dispute.status} /></p>
      <${Decision} dispute=${dispute} config=${config} />
      ${props.problem ? html`<${Notice} tone="bad">${props.problem}</${Notice}>` : null}
      <div class="grid-2">
        <section class="candidate" aria-labelledby="account-h">
          <h2 id="account-h">The account</h2>
          <p><code>${dispute.objectKey}</code></p>
          <${AttributeList} values=${dispute.account ?? {}} label="Account attributes" highlight=${accountKey} />
          ${
            canResolve
              ? html`<p class="actions"><${PostButton} action=${`/disputes/${dispute.id}/resolve`} csrf=${page.csrf} label="Dismiss: link none"
                fields=${{ dismiss: 'true' }} kind="danger" /></p>`
              : null
          }
        </section>
        <section aria-labelledby="candidates-h">
          <h2 id="candidates-h">Candidates (${candidates.length})</h2>
          ${candidates.map((candidate, i) => {
            const linked = dispute.status === 'resolved' && dispute.idmObjectId === candidate.idmObjectId;
            return html`<article class=${linked ? 'candidate candidate-linked' : 'candidate'} aria-labelledby=${`cand-${i}`}>
                <h3 id=${`cand-${i}`}><${NameOf} config=${config} candidate=${candidate} />
                  ${linked ? html` <${StatusBadge} status="linked" />` : null}</h3>
                <p class="candidate-score"><${Score} score=${candidate.score} /> · <code class="code-beside">${candidate.idmObjectId}</code></p>
                <${AttributeList} values=${candidate.attributes} names=${keys} highlight=${reconKey}
                  label=${`Key attributes of ${names[i]}`} />
                <details><summary>All attributes</summary>
                  <${AttributeList} values=${candidate.attributes} label=${`All attributes of ${names[i]}`} />
                </details>
                ${
                  canResolve
                    ? html`<p class="actions"><${PostButton} action=${`/disputes/${dispute.id}/resolve`} csrf=${page.csrf}
                      label=${`Link to ${buttonName(candidate, i)}`} fields=${{ idmObjectId: candidate.idmObjectId }} kind="primary" /></p>`
                    : null
                }
              </article>`;
          })}
        </section>
      </div>`,
  });
}
