import type { Context, Hono } from 'hono';
import type { Services } from '../../../main.ts';
import type { ConsoleAdapters } from '../adapters/index.ts';
import { unhandled } from '../adapters/outcome.ts';
import { type ApplyOutcome, heldStatuses } from '../adapters/review.ts';
import { type ConsoleEnv, pageContext, requireSession } from '../console-env.ts';
import { acceptForm } from '../form.ts';
import { render } from '../html.ts';
import { DisputePage, DisputesPage } from '../pages/disputes.ts';
import { ReviewPage } from '../pages/review.ts';
import { can } from '../permissions.ts';
import { notFoundPage } from './not-found.ts';

const planPage = 200;

function applyProblem(applied: Exclude<ApplyOutcome, { outcome: 'started' }>): string {
  switch (applied.outcome) {
    case 'plan_changed':
    case 'not_a_plan':
    case 'already_applied':
    case 'config_changed':
    case 'forbidden':
    case 'unavailable':
      return applied.message;
    case 'not_found':
      return 'This run no longer exists.';
    default:
      return unhandled(applied);
  }
}

export function registerReview(web: Hono<ConsoleEnv>, services: Services, adapters: ConsoleAdapters) {
  const session = requireSession(services);
  const { activity, configs, review, disputes } = adapters;

  const showReview = async (c: Context<ConsoleEnv>, id: string, problem?: string) => {
    const run = await activity.getRun(id);
    if (!run) return notFoundPage(c, 'run');
    const [planned, skipped] = await Promise.all([
      activity.listEvents(id, { outcome: 'planned', limit: planPage }),
      run.trigger === 'apply'
        ? activity.listEvents(id, { outcome: 'skipped', limit: 1000 })
        : Promise.resolve({ items: [] }),
    ]);
    return render(
      c,
      ReviewPage({
        page: pageContext(c),
        run,
        config: run.configId ? ((await configs.get(run.configId)) ?? undefined) : undefined,
        planned: planned.items,
        morePlanned: planned.nextSeq !== null,
        skipped: skipped.items.filter((e) => !e.error || e.error.code === 'changed_since_plan'),
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
    // A held plan's deletions are an admin's to approve (API.md "Roles").
    if (heldStatuses.has(run.status) && !can(c.get('person').role, 'applyHeldPlan')) {
      return c.text('only an admin may apply a held plan', 403);
    }
    const applied = await review.apply(id, c.get('form').text('planHash') ?? '', c.get('person'));
    if (applied.outcome === 'started') return c.redirect(`/runs/${applied.runId}`, 303);
    return showReview(c, id, applyProblem(applied));
  });

  web.get('/disputes', session, async (c) => {
    const status =
      (['open', 'resolved', 'dismissed'] as const).find((s) => s === c.req.query('status')) ?? 'open';
    const configId = c.req.query('configId') || undefined;
    const all = await configs.list();
    const systemId = c.req.query('systemId');
    const ofSystem = systemId ? new Set(all.filter((x) => x.systemId === systemId).map((x) => x.id)) : null;
    const list = (await disputes.list({ status, configId })).filter(
      (d) => !ofSystem || ofSystem.has(d.configId),
    );
    return render(
      c,
      DisputesPage({
        page: pageContext(c),
        disputes: list,
        configs: all,
        status,
        configId,
        available: disputes.available,
      }),
    );
  });

  const showDispute = async (c: Context<ConsoleEnv>, id: string, problem?: string) => {
    const dispute = await disputes.get(id);
    if (!dispute) return notFoundPage(c, 'dispute');
    const config = (await configs.get(dispute.configId)) ?? undefined;
    return render(c, DisputePage({ page: pageContext(c), dispute, config, problem }), problem ? 409 : 200);
  };

  web.get('/disputes/:id', session, (c) => showDispute(c, c.req.param('id')));

  web.post('/disputes/:id/resolve', session, acceptForm('resolveDisputes'), async (c) => {
    const id = c.req.param('id');
    const form = c.get('form');
    const idmObjectId = form.text('idmObjectId');
    const decision =
      form.text('dismiss') === 'true' ? ({ dismiss: true } as const) : idmObjectId ? { idmObjectId } : null;
    if (!decision) return showDispute(c, id, 'Choose a candidate to link, or dismiss the dispute.');
    const resolved = await disputes.resolve(id, decision, c.get('person'));
    switch (resolved.outcome) {
      case 'resolved':
      case 'dismissed':
        return c.redirect(`/disputes/${id}`, 303);
      case 'not_a_candidate':
      case 'already_decided':
      case 'unavailable':
        return showDispute(c, id, resolved.message);
      case 'not_found':
        return notFoundPage(c, 'dispute');
      default:
        return unhandled(resolved);
    }
  });
}
