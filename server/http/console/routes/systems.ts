import type { Context, Hono } from 'hono';
import type { Services } from '../../../services/index.ts';
import { unhandled } from '../../../services/outcomes.ts';
import { type ConnectorForm, connectorForms } from '../adapters/connectors.ts';
import type { ConsoleAdapters } from '../adapters/index.ts';
import type { SaveSystemOutcome, SystemInput } from '../adapters/systems.ts';
import { connectionFromForm, type FieldErrors } from '../components/connection-fields.ts';
import { type ConsoleEnv, pageContext, requireSession } from '../console-env.ts';
import { acceptForm } from '../form.ts';
import type { FormFields } from '../form-fields.ts';
import { render } from '../html.ts';
import {
  NewSystemPage,
  type SystemFormValues,
  SystemPage,
  SystemsPage,
  systemFormValues,
} from '../pages/systems.ts';
import { notFoundPage } from './not-found.ts';

function outboundOf(text: string | undefined): SystemInput['outboundMapping'] {
  if (!text) return null;
  if (!text.startsWith('{')) return text;
  try {
    return JSON.parse(text) as Record<string, string>;
  } catch {
    return text;
  }
}

/** What the form says, as the systems use case takes it, and as the form shows it again. */
function readSystemForm(form: FormFields, connector: ConnectorForm, stored: Record<string, unknown> | null) {
  const type = connector.type;
  const input: SystemInput = {
    name: form.text('name') ?? '',
    type,
    trusted: form.text('trusted') === 'true',
    uniqueFieldKey: form.text('uniqueFieldKey') ?? '',
    connection: connectionFromForm(form, connector, stored),
    attributes: (form.raw('attributes') ?? '')
      .split('\n')
      .map((a) => a.trim())
      .filter(Boolean),
    outboundMapping: outboundOf(form.text('outboundMapping')),
  };
  const values: SystemFormValues = {
    name: input.name,
    type,
    trusted: input.trusted,
    uniqueFieldKey: input.uniqueFieldKey,
    attributes: form.raw('attributes') ?? '',
    outboundMapping: form.raw('outboundMapping') ?? '',
    connection: { ...stored, ...input.connection },
  };
  return { input, values };
}

/** Field errors, or a problem for the whole form, from a failed save. */
function problemsOf(saved: Exclude<SaveSystemOutcome, { outcome: 'saved' }>): {
  errors: FieldErrors;
  problem?: string;
} {
  switch (saved.outcome) {
    case 'invalid':
      return saved.path
        ? { errors: { [saved.path]: saved.message } }
        : { errors: {}, problem: saved.message };
    case 'name_taken':
      return { errors: { name: `a managed system named "${saved.name}" already exists` } };
    case 'not_found':
      return { errors: {}, problem: 'This managed system no longer exists.' };
    case 'secrets_unreadable':
      return {
        errors: {},
        problem: 'The stored secrets cannot be opened with this SECRET_KEY: type them again.',
      };
    default:
      return unhandled(saved);
  }
}

export function registerSystems(web: Hono<ConsoleEnv>, services: Services, adapters: ConsoleAdapters) {
  const session = requireSession(services);
  const { systems, configs } = adapters;
  const forms = connectorForms(services);

  web.get('/systems', session, async (c) => {
    const [list, all] = await Promise.all([systems.list(), configs.list()]);
    return render(c, SystemsPage({ page: pageContext(c), systems: list, configs: all }));
  });

  web.get('/systems/new', session, (c) => {
    const connector = forms.of(c.req.query('type'));
    const values: SystemFormValues = {
      name: '',
      type: connector.type,
      trusted: false,
      uniqueFieldKey: '',
      attributes: '',
      outboundMapping: '',
      connection: {},
    };
    return render(
      c,
      NewSystemPage({
        page: pageContext(c),
        connector,
        types: forms.types,
        values,
        errors: {},
      }),
    );
  });

  web.post('/systems', session, acceptForm('editSystems'), async (c) => {
    const form = c.get('form');
    const connector = forms.of(form.text('type'));
    const { input, values } = readSystemForm(form, connector, null);
    const saved = await systems.create(input);
    if (saved.outcome === 'saved') return c.redirect(`/systems/${saved.system.id}?saved=1`, 303);
    const { errors, problem } = problemsOf(saved);
    return render(
      c,
      NewSystemPage({
        page: pageContext(c),
        connector,
        types: forms.types,
        values,
        errors,
        problem,
      }),
      400,
    );
  });

  const showSystem = async (
    c: Context<ConsoleEnv>,
    id: string,
    extra: {
      values?: SystemFormValues;
      errors?: FieldErrors;
      problem?: string;
      test?: Parameters<typeof SystemPage>[0]['test'];
      uploaded?: boolean;
    },
    status: 200 | 400 = 200,
  ) => {
    const system = await systems.get(id);
    if (!system) return notFoundPage(c, 'managed system');
    return render(
      c,
      SystemPage({
        page: pageContext(c),
        system,
        connector: forms.of(system.type),
        configs: await configs.list(system.id),
        values: extra.values ?? systemFormValues(system),
        errors: extra.errors ?? {},
        problem: extra.problem,
        saved: c.req.query('saved') === '1',
        test: extra.test,
        uploaded: extra.uploaded ?? false,
      }),
      status,
    );
  };

  web.get('/systems/:id', session, (c) => showSystem(c, c.req.param('id'), {}));

  web.post('/systems/:id', session, acceptForm('editSystems'), async (c) => {
    const id = c.req.param('id');
    const current = await systems.get(id);
    if (!current) return notFoundPage(c, 'managed system');
    const { input, values } = readSystemForm(c.get('form'), forms.of(current.type), current.connection);
    const { type: _type, ...change } = input;
    const saved = await systems.update(id, change);
    if (saved.outcome === 'saved') return c.redirect(`/systems/${id}?saved=1`, 303);
    return showSystem(c, id, { values, ...problemsOf(saved) }, 400);
  });

  web.post('/systems/:id/file', session, acceptForm('editSystems'), async (c) => {
    const id = c.req.param('id');
    // acceptForm parsed the body already (hono keeps it): the file part is there beside the fields.
    const file = (await c.req.parseBody()).file;
    if (!(file instanceof File) || file.size === 0) {
      return showSystem(c, id, { problem: 'Choose a CSV file to upload.' }, 400);
    }
    const stored = await systems.storeFile(id, file);
    switch (stored.outcome) {
      case 'stored':
        return showSystem(c, id, { uploaded: true });
      case 'not_found':
        return notFoundPage(c, 'managed system');
      case 'not_csv':
        return showSystem(
          c,
          id,
          { problem: `${stored.name} is a ${stored.type} system: only a CSV system takes a file.` },
          400,
        );
      case 'invalid':
        return showSystem(
          c,
          id,
          { problem: `The file was not taken: ${stored.path} ${stored.message}.` },
          400,
        );
      default:
        return unhandled(stored);
    }
  });

  web.post('/systems/:id/test', session, acceptForm('testConnection'), async (c) => {
    const id = c.req.param('id');
    const tested = await systems.test(id);
    switch (tested.outcome) {
      case 'tested':
        return showSystem(c, id, { test: tested.result });
      case 'not_found':
        return notFoundPage(c, 'managed system');
      default:
        return unhandled(tested);
    }
  });
}
