import type { Context, Hono } from 'hono';
import { type EventOutcome, eventOutcomes, type RunStatus, runStatuses } from '../../../core/model.ts';
import type { Services } from '../../../services/index.ts';
import { unhandled } from '../../../services/outcomes.ts';
import type { Download } from '../adapters/activity.ts';
import type { ConsoleAdapters } from '../adapters/index.ts';
import { type ConsoleEnv, pageContext, requireSession } from '../console-env.ts';
import { acceptForm } from '../form.ts';
import { render } from '../html.ts';
import { EventPage } from '../pages/event.ts';
import { RunPage } from '../pages/run.ts';
import { RunDiffPage } from '../pages/run-diff.ts';
import { RunsPage } from '../pages/runs.ts';
import { ErrorPage } from '../pages/signin.ts';
import { notFoundPage } from './not-found.ts';

const pageSize = 50;

/** A date field of the filter: "2026-12-01" (or a full ISO time); undefined when blank or not a date. */
function dateOf(value: string | undefined): Date | undefined {
  if (!value?.trim()) return undefined;
  const date = new Date(value.trim());
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function cursorOf(value: string | undefined): { at: string; id: string } | undefined {
  if (!value) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as {
      at?: unknown;
      id?: unknown;
    };
    return typeof parsed.at === 'string' && typeof parsed.id === 'string'
      ? { at: parsed.at, id: parsed.id }
      : undefined;
  } catch {
    return undefined;
  }
}

async function sendDownload(c: Context<ConsoleEnv>, download: Download) {
  switch (download.outcome) {
    case 'file': {
      const headers = {
        'content-type': download.contentType,
        'content-disposition': `${download.inline ? 'inline' : 'attachment'}; filename="${download.filename.replace(/[^A-Za-z0-9_.-]/g, '_')}"`,
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
        // A report shown in the browser may style itself, but runs nothing and loads nothing.
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
      };
      if (typeof download.body === 'string') return c.body(download.body, 200, headers);
      const iterator = download.body[Symbol.asyncIterator]();
      const encoder = new TextEncoder();
      const stream = new ReadableStream<Uint8Array>({
        async pull(controller) {
          const next = await iterator.next();
          if (next.done) controller.close();
          else controller.enqueue(encoder.encode(next.value));
        },
        async cancel() {
          await iterator.return?.();
        },
      });
      return c.body(stream, 200, headers);
    }
    case 'not_found':
      return notFoundPage(c, 'run');
    case 'unavailable':
      return render(c, ErrorPage({ title: 'Not available', message: download.message, signedIn: true }), 404);
    default:
      return unhandled(download);
  }
}

export function registerRuns(web: Hono<ConsoleEnv>, services: Services, adapters: ConsoleAdapters) {
  const session = requireSession(services);
  const { activity, configs } = adapters;

  web.get('/runs', session, async (c) => {
    const query = c.req.query();
    const status = runStatuses.includes(query.status as RunStatus) ? (query.status as RunStatus) : undefined;
    const from = dateOf(query.from);
    const to = dateOf(query.to);
    const problem =
      (query.from?.trim() && !from) || (query.to?.trim() && !to)
        ? 'A date must look like 2026-12-01.'
        : undefined;
    // "To 2026-12-01" includes that whole day.
    const toExclusive =
      to && /^\d{4}-\d\d-\d\d$/.test(query.to?.trim() ?? '') ? new Date(to.getTime() + 86_400_000) : to;
    const page = await activity.listRuns({
      configId: query.configId || undefined,
      status,
      from,
      to: toExclusive,
      after: cursorOf(query.cursor),
      limit: pageSize,
    });
    const params = new URLSearchParams(Object.entries(query).filter(([k, v]) => k !== 'cursor' && v));
    if (page.next) params.set('cursor', Buffer.from(JSON.stringify(page.next)).toString('base64url'));
    return render(
      c,
      RunsPage({
        page: pageContext(c),
        runs: page.items,
        configs: await configs.list(),
        filter: { configId: query.configId, status, from: query.from, to: query.to },
        nextPage: page.next ? `/runs?${params}` : null,
        problem,
      }),
    );
  });

  web.get('/runs/:id', session, async (c) => {
    const id = c.req.param('id');
    const run = await activity.getRun(id);
    if (!run) return notFoundPage(c, 'run');
    const query = c.req.query();
    const outcome = eventOutcomes.includes(query.outcome as EventOutcome)
      ? (query.outcome as EventOutcome)
      : undefined;
    const after = /^\d{1,9}$/.test(query.after ?? '') ? Number(query.after) : undefined;
    const events = await activity.listEvents(id, {
      situation: query.situation || undefined,
      response: query.response || undefined,
      outcome,
      afterSeq: after,
      limit: pageSize,
    });
    return render(
      c,
      RunPage({
        page: pageContext(c),
        run,
        config: run.configId ? ((await configs.get(run.configId)) ?? undefined) : undefined,
        progress: await activity.progress(id),
        events: events.items,
        filter: { situation: query.situation, response: query.response, outcome },
        nextPage: events.nextSeq === null ? null : `/runs/${id}?after=${events.nextSeq}`,
        notifications: await activity.notifications(run.id),
      }),
    );
  });

  web.get('/runs/:id/diff', session, async (c) => {
    const id = c.req.param('id');
    const against = c.req.query('against') || undefined;
    const result = await activity.diff(id, against);
    const status =
      !result || result.outcome === 'diffed' ? 200 : result.outcome === 'run_not_found' ? 404 : 409;
    return render(c, RunDiffPage({ page: pageContext(c), runId: id, result }), status);
  });

  web.post('/runs/:id/cancel', session, acceptForm('cancelRuns'), async (c) => {
    const id = c.req.param('id');
    const result = await activity.cancel(id, c.get('person'));
    switch (result.outcome) {
      case 'cancelled':
      case 'cancel_requested':
      // The run page says how a run that had ended already did end.
      case 'already_ended':
        return c.redirect(`/runs/${id}`, 303);
      case 'run_not_found':
        return notFoundPage(c, 'run');
      default:
        return unhandled(result);
    }
  });

  web.get('/runs/:id/progress', session, async (c) => {
    const progress = await activity.progress(c.req.param('id'));
    if (!progress) return c.json({ error: 'no such run' }, 404);
    return c.json(progress, 200, { 'cache-control': 'no-store' });
  });

  web.get('/runs/:id/events/:eventId', session, async (c) => {
    const eventId = c.req.param('eventId');
    const event = await activity.getEvent(c.req.param('id'), eventId);
    if (!event) return notFoundPage(c, 'event');
    const why = await activity.explainEvent(c.req.param('id'), eventId);
    return render(c, EventPage({ page: pageContext(c), event, why }));
  });

  web.get('/runs/:id/events.csv', session, async (c) =>
    sendDownload(c, await activity.eventsCsv(c.req.param('id'))),
  );
  web.get('/runs/:id/report', session, async (c) => {
    const format = c.req.query('format');
    return sendDownload(
      c,
      await activity.report(c.req.param('id'), format === 'csv' || format === 'html' ? format : undefined),
    );
  });
  web.get('/runs/:id/do-nothing.csv', session, async (c) =>
    sendDownload(c, await activity.doNothingCsv(c.req.param('id'))),
  );
}
