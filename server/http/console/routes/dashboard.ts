import type { Hono } from 'hono';
import { heldStatuses } from '../../../core/model.ts';
import type { Services } from '../../../services/index.ts';
import type { RunSummary } from '../adapters/activity.ts';
import type { ConsoleAdapters } from '../adapters/index.ts';
import { nextRunTimes } from '../adapters/schedules.ts';
import { type ConsoleEnv, pageContext, requireSession } from '../console-env.ts';
import { render } from '../html.ts';
import { type DashboardConfigRow, DashboardPage, type DashboardRow } from '../pages/dashboard.ts';

const recentMs = 7 * 24 * 60 * 60 * 1000;
const failing = new Set(['failed', 'aborted_by_preprocessor', 'succeeded_with_errors']);
const stopped = new Set(['stopped_by_threshold', 'stopped_by_guard']);

export function registerDashboard(web: Hono<ConsoleEnv>, services: Services, adapters: ConsoleAdapters) {
  web.get('/', requireSession(services), async (c) => {
    const [systems, configs, openDisputes, users] = await Promise.all([
      adapters.systems.list(),
      adapters.configs.list(),
      adapters.disputes.list({ status: 'open' }),
      adapters.idm.countByStatus('User'),
    ]);
    const since = new Date(Date.now() - recentMs);
    const rows: DashboardRow[] = [];
    for (const system of systems) {
      const own = configs.filter((config) => config.systemId === system.id);
      const configRows: DashboardConfigRow[] = [];
      const recentErrors: RunSummary[] = [];
      const recent = { errors: 0, stopped: 0 };
      for (const config of own) {
        const { items } = await adapters.activity.listRuns({ configId: config.id, from: since, limit: 20 });
        const lastRun =
          items[0] ?? (await adapters.activity.listRuns({ configId: config.id, limit: 1 })).items[0] ?? null;
        const [nextRunAt] =
          config.status === 'active' ? nextRunTimes(config.frequency, config.timezone, 1) : [];
        configRows.push({
          config,
          lastRun,
          nextRunAt: nextRunAt ?? null,
          heldPlan: lastRun && heldStatuses.has(lastRun.status) ? lastRun : null,
        });
        const bad = items.filter((run) => failing.has(run.status) || run.counts.errors > 0);
        recentErrors.push(...bad);
        recent.errors += bad.length;
        recent.stopped += items.filter((run) => stopped.has(run.status)).length;
      }
      const configIds = new Set(own.map((config) => config.id));
      rows.push({
        system,
        lastTest: system.lastTest,
        recent,
        configs: configRows,
        recentErrors: recentErrors.sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, 3),
        openDisputes: openDisputes.filter((d) => configIds.has(d.configId)).length,
      });
    }
    return render(c, DashboardPage({ page: pageContext(c), rows, users }));
  });
}
