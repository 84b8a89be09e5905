import { heldStatuses } from '../../../core/model.ts';
import type { RunEventSummary, RunSummary } from '../adapters/activity.ts';
import type { ConfigView } from '../adapters/configs.ts';
import { Notice, PostButton } from '../components/fields.ts';
import { StatusBadge } from '../components/status.ts';
import type { PageContext } from '../console-env.ts';
import { html } from '../html.ts';
import { Layout } from '../layout.ts';
import { EventsTable } from './run.ts';
import { configLabel } from './runs.ts';

/** The plan hash and provenance of a run, when this server records them. */
export type RunReviewFields = {
  planHash?: string | null;
  appliedFrom?: string | null;
  undoOf?: string | null;
  approvedBy?: string | null;
};
export const reviewFieldsOf = (run: RunSummary) => run as RunSummary & RunReviewFields;

export function ReviewPage(props: {
  page: PageContext;
  run: RunSummary;
  config: ConfigView | undefined;
  planned: RunEventSummary[];
  skipped: RunEventSummary[];
  morePlanned: boolean;
  /** An undo plan's actions that restore only in part (a password, an objectGUID), with the reason. */
  partly?: Array<{ seq: number; objectKey: string | null; note: string }>;
  problem?: string | undefined;
}) {
  const { page, run } = props;
  const fields = reviewFieldsOf(run);
  const held = heldStatuses.has(run.status);
  const isPlan = (run.dryRun && run.status === 'succeeded') || held;
  const mayApply = held ? page.can('applyHeldPlan') : page.can('applyPlan');
  return Layout({
    page,
    title:
      run.trigger === 'apply'
        ? 'Applied plan'
        : run.trigger === 'undo'
          ? 'Undo plan'
          : held
            ? 'Held plan'
            : 'Dry-run plan',
    wide: true,
    children: html`
      <p class="muted"><a href=${`/runs/${run.id}`}>The run</a> of ${configLabel(props.config)} · <${StatusBadge} status=${run.status} /></p>
      ${props.problem ? html`<${Notice} tone="bad">${props.problem}</${Notice}>` : null}
      ${
        run.trigger === 'apply'
          ? html`<section aria-labelledby="applied-h">
            <h2 id="applied-h">What was applied</h2>
            <p>This run carried out the plan of ${fields.appliedFrom ? html`<a href=${`/runs/${fields.appliedFrom}/review`}>run ${fields.appliedFrom}</a>` : 'an earlier run'}${fields.approvedBy ? `, approved by ${fields.approvedBy}` : ''}.</p>
            <h3>Skipped because the object changed since the plan</h3>
            ${
              props.skipped.length === 0
                ? html`<p class="muted">None: every planned object was still as planned.</p>`
                : html`<${EventsTable} runId=${run.id} events=${props.skipped} caption="Objects skipped for drift" />`
            }
          </section>`
          : null
      }
      ${
        run.trigger === 'undo'
          ? html`<section aria-labelledby="undo-h">
            <h2 id="undo-h">Undo of ${fields.undoOf ? html`<a href=${`/runs/${fields.undoOf}`}>run ${fields.undoOf}</a>` : 'a run'}</h2>
            <p>Each planned action below puts back what that run changed. Applying checks every object again first.</p>
            <h3>What this undo will not do</h3>
            ${
              props.skipped.length === 0
                ? html`<p class="muted">Nothing: every applied action of the run can be undone.</p>`
                : html`<${EventsTable} runId=${run.id} events=${props.skipped} caption="Actions that cannot be undone, with the reason" />`
            }
            ${
              props.partly && props.partly.length > 0
                ? html`<h3>What it restores only in part</h3>
                  <ul class="undo-partly">${props.partly.map(
                    (p) => html`<li><span class="muted">#${p.seq}</span> ${p.note}</li>`,
                  )}</ul>`
                : null
            }
          </section>`
          : null
      }
      ${
        isPlan
          ? html`<section aria-labelledby="plan-h">
            <h2 id="plan-h">The plan</h2>
            ${
              held
                ? html`<${Notice} tone="info"><p>This run stopped (${run.status.replaceAll('_', ' ')}) before writing anything${run.error ? `: ${run.error.message}` : ''}. Its plan is held until an admin applies it.</p></${Notice}>`
                : html`<p>Nothing was written. Applying carries out exactly these actions; an object that changed since is skipped.</p>`
            }
            <p>Plan hash: <code>${fields.planHash ?? 'not recorded'}</code></p>
            ${
              mayApply && fields.planHash
                ? html`<${PostButton} action=${`/runs/${run.id}/apply`} csrf=${page.csrf} label="Apply this plan" kind="primary"
                  fields=${{ planHash: fields.planHash }} confirm=${held ? 'Apply the held plan, with its deletions?' : undefined} />`
                : !mayApply && (page.can('applyPlan') || page.can('applyHeldPlan'))
                  ? html`<p class="muted">Only an admin may apply a held plan.</p>`
                  : null
            }
            <h3>Planned actions</h3>
            ${
              props.planned.length === 0
                ? html`<p class="muted">The plan has no action.</p>`
                : html`<${EventsTable} runId=${run.id} events=${props.planned} caption="Planned actions" />`
            }
            ${props.morePlanned ? html`<p><a href=${`/runs/${run.id}?outcome=planned`}>All planned actions</a></p>` : null}
          </section>`
          : run.trigger === 'apply'
            ? null
            : html`<p>This run is not a plan that can be applied (only a finished dry run or a held plan is).</p>`
      }`,
  });
}
