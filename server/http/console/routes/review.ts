import type { Context, Hono } from 'hono';
import { heldStatuses } from '../../../core/model.ts';
import type { Services } from '../../../services/index.ts';
import { unhandled } from '../../../services/outcomes.ts';
import type { UndoPlanOutcome } from '../../../services/undo.ts';
import type { ConsoleAdapters } from '../adapters/index.ts';
import type { ApplyOutcome } from '../adapters/review.ts';
import { type ConsoleEnv, pageContext, requireSession } from '../console-env.ts';
import { acceptForm } from '../form.ts';
import { render } from '../html.ts';
import { ReviewPage } from '../pages/review.ts';
import { can } from '../permissions.ts';
import { notFoundPage } from './not-found.ts';

const planPage = 200;

/** Why a plan was not applied, in words for the review page. */
function applyProblem(applied: Exclude<ApplyOutcome, { outcome: 'started' }>): string {
  switch (applied.outcome) {
    case 'run_not_found':
      return 'This run no longer exists.';
    case 'forbidden':
      return `Not applied: ${applied.reason}.`;
    case 'not_a_plan':
      return 'Only a finished dry run or a held plan can be applied.';
    case 'plan_hash_mismatch':
      return 'The plan is not the one this page showed (its hash changed): review it again.';
    case 'already_applied':
      return `This plan was applied already, by run ${applied.runId}.`;
    case 'config_changed':
      return 'The config or its system changed since this plan was made: run a new dry run.';
    case 'config_not_found':
      return 'The config of this plan no longer exists.';
    case 'already_running':
      return `A run of this config is queued or running (${applied.runId}); apply the plan when it has finished.`;
    default:
      return unhandled(applied);
  }
}

/** Why no undo plan was made, in words for the run's review page. */
function undoProblem(undone: Exclude<UndoPlanOutcome, { outcome: 'planned' }>): string {
  switch (undone.outcome) {
    case 'run_not_found':
      return 'This run no longer exists.';
    case 'forbidden':
      return `Not undone: ${undone.reason}.`;
    case 'not_undoable':
      return `This run cannot be undone: ${undone.reason}.`;
    case 'already_undone':
      return `This run was undone already, by run ${undone.runId}.`;
    case 'config_not_found':
      return 'The config of this run no longer exists.';
    default:
      return unhandled(undone);
  }
}

export function registerReview(web: Hono<ConsoleEnv>, services: Services, adapters: ConsoleAdapters) {
  const session = requireSession(services);
  const { activity, configs, review } = adapters;

  const showReview = async (c: Context<ConsoleEnv>, id: string, problem?: string) => {
    const run = await activity.getRun(id);
    if (!run) return notFoundPage(c, 'run');
    const [planned, skipped, partly] = await Promise.all([
      activity.listEvents(id, { outcome: 'planned', limit: planPage }),
      run.trigger === 'apply' || run.trigger === 'undo'
        ? activity.listEvents(id, { outcome: 'skipped', limit: 1000 })
        : Promise.resolve({ items: [] }),
      run.trigger === 'undo' ? review.undoNotes(id) : Promise.resolve([]),
    ]);
    return render(
      c,
      ReviewPage({
        page: pageContext(c),
        run,
        config: run.configId ? ((await configs.get(run.configId)) ?? undefined) : undefined,
        planned: planned.items,
        morePlanned: planned.nextSeq !== null,
        skipped:
          run.trigger === 'undo'
            ? skipped.items
            : skipped.items.filter((e) => !e.error || e.error.code === 'changed_since_plan'),
        partly,
        problem,
      }),
      problem ? 409 : 200,
    );
  };

  web.get('/runs/:id/review', session, (c) => showReview(c, c.req.param('id')));

  web.post('/runs/:id/apply', session, acceptForm('applyPlan'), async (c) => {
    const id = c.req.param('id');
    const run = await activity.getRun(id);
    if (!run) return notFoundPage(c, 'run');
    // A held plan's deletions are an admin's to approve (docs/api.md "Signing in, roles, errors").
    if (heldStatuses.has(run.status) && !can(c.get('person').role, 'applyHeldPlan')) {
      return c.text('only an admin may apply a held plan', 403);
    }
    const applied = await review.apply(id, c.get('form').text('planHash') ?? '', c.get('person'));
    if (applied.outcome === 'started') return c.redirect(`/runs/${applied.runId}`, 303);
    return showReview(c, id, applyProblem(applied));
  });

  // Undo a run (docs/api.md `POST /api/runs/:id/undo`): the plan opens for review; nothing is applied.
  web.post('/runs/:id/undo', session, acceptForm('undoRuns'), async (c) => {
    const id = c.req.param('id');
    const undone = await review.undo(id, c.get('person'));
    if (undone.outcome === 'planned') return c.redirect(`/runs/${undone.runId}/review`, 303);
    if (undone.outcome === 'run_not_found') return notFoundPage(c, 'run');
    return showReview(c, id, undoProblem(undone));
  });
}
