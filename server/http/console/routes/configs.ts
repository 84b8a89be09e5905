import type { Context, Hono } from 'hono';
import type { Services } from '../../../services/index.ts';
import { unhandled } from '../../../services/outcomes.ts';
import { configFieldNames, type SaveConfigOutcome } from '../adapters/configs.ts';
import type { ConsoleAdapters } from '../adapters/index.ts';
import { nextRunTimes } from '../adapters/schedules.ts';
import type { FieldErrors } from '../components/connection-fields.ts';
import { type ConsoleEnv, pageContext, requireSession } from '../console-env.ts';
import { acceptForm } from '../form.ts';
import { render } from '../html.ts';
import type { ConfigFormValues } from '../pages/config-form.ts';
import { ConfigPage, NewConfigPage } from '../pages/configs.ts';
import { fieldOfIssue, readConfigForm, valuesOfConfig } from './config-values.ts';
import { notFoundPage } from './not-found.ts';
import { startRunProblem } from './run-start.ts';

const supportsSourceGuard = configFieldNames.has('sourceGuard');

function errorsOf(saved: Exclude<SaveConfigOutcome, { outcome: 'saved' }>): {
  errors: FieldErrors;
  problem?: string;
} {
  switch (saved.outcome) {
    case 'rejected':
      return { errors: Object.fromEntries(saved.issues.map((i) => [fieldOfIssue(i.path), i.message])) };
    case 'invalid':
      return { errors: { [fieldOfIssue(saved.path)]: saved.message } };
    case 'not_found':
      return { errors: {}, problem: 'This reconciliation config no longer exists.' };
    case 'system_not_found':
      return { errors: {}, problem: 'This managed system no longer exists.' };
    default:
      return unhandled(saved);
  }
}

function schedulePreview(values: ConfigFormValues): Date[] {
  const { frequency, timezone } = values.text;
  return nextRunTimes(frequency || null, timezone || 'UTC', 3);
}

export function registerConfigs(web: Hono<ConsoleEnv>, services: Services, adapters: ConsoleAdapters) {
  const session = requireSession(services);
  const { systems, configs, policies, activity } = adapters;

  web.get('/systems/:id/configs/new', session, async (c) => {
    const system = await systems.get(c.req.param('id'));
    if (!system) return notFoundPage(c, 'managed system');
    const values = valuesOfConfig(null, system.trusted);
    return render(
      c,
      NewConfigPage({
        page: pageContext(c),
        system,
        values,
        errors: {},
        policies: await policies.list(),
        nextRuns: [],
        supportsSourceGuard,
      }),
    );
  });

  /** After a save: start the run the button asked for, or come back to the editor. */
  const afterSave = async (c: Context<ConsoleEnv>, configId: string) => {
    const intent = c.get('form').text('intent') ?? 'save';
    if (intent === 'save') return c.redirect(`/configs/${configId}?saved=1`, 303);
    const started = await activity.start(configId, intent === 'dryrun', c.get('person'));
    if (started.outcome === 'started') return c.redirect(`/runs/${started.runId}`, 303);
    return c.redirect(
      `/configs/${configId}?saved=1&problem=${encodeURIComponent(startRunProblem(started))}`,
      303,
    );
  };

  web.post('/systems/:id/configs', session, acceptForm('editConfigs'), async (c) => {
    const system = await systems.get(c.req.param('id'));
    if (!system) return notFoundPage(c, 'managed system');
    const { input, values } = readConfigForm(c.get('form'));
    const saved = await configs.create(system.id, input);
    if (saved.outcome === 'saved') return afterSave(c, saved.config.id);
    return render(
      c,
      NewConfigPage({
        page: pageContext(c),
        system,
        values,
        ...errorsOf(saved),
        policies: await policies.list(),
        nextRuns: schedulePreview(values),
        supportsSourceGuard,
      }),
      400,
    );
  });

  const showConfig = async (
    c: Context<ConsoleEnv>,
    id: string,
    extra: { values?: ConfigFormValues; errors?: FieldErrors; problem?: string | undefined } = {},
    status: 200 | 400 = 200,
  ) => {
    const config = await configs.get(id);
    if (!config) return notFoundPage(c, 'reconciliation config');
    const system = await systems.get(config.systemId);
    if (!system) return notFoundPage(c, 'managed system');
    const values = extra.values ?? valuesOfConfig(config);
    const { items: runs } = await activity.listRuns({ configId: id, limit: 5 });
    return render(
      c,
      ConfigPage({
        page: pageContext(c),
        system,
        config,
        runs,
        values,
        errors: extra.errors ?? {},
        problem: extra.problem ?? c.req.query('problem'),
        notice: c.req.query('saved') === '1' ? 'Saved.' : undefined,
        policies: await policies.list(),
        nextRuns: schedulePreview(values),
        supportsSourceGuard,
      }),
      status,
    );
  };

  web.get('/configs/:id', session, (c) => showConfig(c, c.req.param('id')));

  web.post('/configs/:id', session, acceptForm('editConfigs'), async (c) => {
    const id = c.req.param('id');
    const { input, values } = readConfigForm(c.get('form'));
    const saved = await configs.update(id, input);
    if (saved.outcome === 'saved') return afterSave(c, id);
    return showConfig(c, id, { values, ...errorsOf(saved) }, 400);
  });

  web.post('/configs/:id/runs', session, acceptForm('startRuns'), async (c) => {
    const id = c.req.param('id');
    const started = await activity.start(id, c.get('form').text('dryRun') === 'true', c.get('person'));
    if (started.outcome === 'started') return c.redirect(`/runs/${started.runId}`, 303);
    if (started.outcome === 'config_not_found') return notFoundPage(c, 'reconciliation config');
    return showConfig(c, id, { problem: startRunProblem(started) }, 400);
  });
}
