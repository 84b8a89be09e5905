import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { idmStatuses } from '../../../db/schema/idm-objects.ts';
import type { Services } from '../../../services/index.ts';
import { unhandled } from '../../../services/outcomes.ts';
import { accountLinkStates } from '../../../store/last-read-accounts.ts';
import { cursorParam, encodeCursor } from '../../cursor.ts';
import type { ConsoleAdapters } from '../adapters/index.ts';
import { type ConsoleEnv, pageContext, requireSession } from '../console-env.ts';
import { acceptForm } from '../form.ts';
import { render } from '../html.ts';
import { IdmListPage, type IdmSection, idmSections } from '../pages/idm.ts';
import { type IdmNotice, IdmObjectPage } from '../pages/idm-object.ts';
import { SystemAccountsPage } from '../pages/system-accounts.ts';
import { notFoundPage } from './not-found.ts';

const pageSize = 50;
const types = { users: 'User', groups: 'Group', roles: 'Role', organizations: 'Organization' } as const;
const sectionOf = (value: string): IdmSection | undefined =>
  value in idmSections ? (value as IdmSection) : undefined;
const oneOf = <T extends string>(values: readonly T[], value: string | undefined) =>
  values.find((v) => v === value);

const idmCursor = cursorParam(z.object({ name: z.string(), id: z.string() }));
const accountCursor = cursorParam(z.object({ objectType: z.string(), key: z.string() }));
/** A cursor from the page's own links; anything else starts from the first page. */
const cursorOf = <T>(shape: z.ZodType<T, string>, value: string | undefined): T | undefined =>
  value ? shape.safeParse(value).data : undefined;

/** A page link keeping the search and adding the cursor; null when there is no such page. */
function pageLink(path: string, query: Record<string, string | undefined>, cursor?: unknown) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v) params.set(k, v);
  if (cursor) params.set('cursor', encodeCursor(cursor));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** The IDM pages and a system's accounts: reads for everyone, acts by hand for admins. */
export function registerIdm(web: Hono<ConsoleEnv>, services: Services, adapters: ConsoleAdapters) {
  const session = requireSession(services);
  const { idm, systems } = adapters;

  web.get('/idm/:section', session, async (c) => {
    const section = sectionOf(c.req.param('section'));
    if (!section) return notFoundPage(c, 'IDM section');
    const q = c.req.query('q')?.trim() || undefined;
    const status = oneOf(idmStatuses, c.req.query('status'));
    const cursor = cursorOf(idmCursor, c.req.query('cursor'));
    const page = await idm.list(types[section], { q, status, after: cursor, limit: pageSize });
    switch (page.outcome) {
      case 'listed': {
        const query = { q, status };
        return render(
          c,
          IdmListPage({
            page: pageContext(c),
            section,
            items: page.items,
            filter: query,
            nextPage: page.next ? pageLink(`/idm/${section}`, query, page.next) : null,
            firstPage: cursor ? pageLink(`/idm/${section}`, query) : null,
          }),
        );
      }
      case 'invalid':
        return render(
          c,
          IdmListPage({
            page: pageContext(c),
            section,
            items: [],
            filter: {},
            nextPage: null,
            firstPage: null,
          }),
          400,
        );
      default:
        return unhandled(page);
    }
  });

  const showObject = async (
    c: Context<ConsoleEnv>,
    section: IdmSection,
    id: string,
    notice?: IdmNotice,
    status: 200 | 400 | 404 | 409 = 200,
  ) => {
    const found = await idm.get(types[section], id);
    if (found.outcome === 'not_found') return notFoundPage(c, `IDM ${types[section].toLowerCase()}`);
    const all = pageContext(c).can('editIdm') ? await systems.list() : [];
    return render(
      c,
      IdmObjectPage({ page: pageContext(c), section, object: found.object, systems: all, notice }),
      status,
    );
  };

  web.get('/idm/:section/:id', session, (c) => {
    const section = sectionOf(c.req.param('section'));
    return section ? showObject(c, section, c.req.param('id')) : notFoundPage(c, 'IDM section');
  });

  for (const act of ['enable', 'disable'] as const) {
    web.post(`/idm/:section/:id/${act}`, session, acceptForm('editIdm'), async (c) => {
      const section = sectionOf(c.req.param('section'));
      if (!section) return notFoundPage(c, 'IDM section');
      const id = c.req.param('id');
      const done = await idm.setStatus(
        types[section],
        id,
        act === 'enable' ? 'active' : 'disabled',
        c.get('person'),
      );
      switch (done.outcome) {
        case 'changed':
          return showObject(c, section, id, {
            tone: 'ok',
            message: `${done.object.name} is ${done.object.status} now.`,
          });
        case 'not_found':
          return notFoundPage(c, `IDM ${types[section].toLowerCase()}`);
        case 'unchanged':
          return showObject(c, section, id, { tone: 'bad', message: `It is ${done.status} already.` }, 409);
        case 'deleted':
          return showObject(
            c,
            section,
            id,
            { tone: 'bad', message: 'A deleted object cannot be changed.' },
            409,
          );
        default:
          return unhandled(done);
      }
    });
  }

  web.post('/idm/:section/:id/links', session, acceptForm('editIdm'), async (c) => {
    const section = sectionOf(c.req.param('section'));
    if (!section) return notFoundPage(c, 'IDM section');
    const id = c.req.param('id');
    const form = c.get('form');
    const systemId = form.text('systemId') ?? '';
    const accountKey = (form.text('accountKey') ?? '').trim();
    if (!accountKey) {
      return showObject(
        c,
        section,
        id,
        { tone: 'bad', field: 'accountKey', message: 'Enter the account key.' },
        400,
      );
    }
    const done = await idm.link(types[section], id, { systemId, accountKey }, c.get('person'));
    switch (done.outcome) {
      case 'linked':
        return showObject(c, section, id, { tone: 'ok', message: `Linked the account ${accountKey}.` });
      case 'not_found':
        return notFoundPage(c, `IDM ${types[section].toLowerCase()}`);
      case 'deleted':
        return showObject(
          c,
          section,
          id,
          { tone: 'bad', message: 'A deleted object cannot be linked.' },
          409,
        );
      case 'system_not_found':
        return showObject(
          c,
          section,
          id,
          { tone: 'bad', field: 'systemId', message: 'Choose a managed system.' },
          400,
        );
      case 'account_linked':
        return showObject(
          c,
          section,
          id,
          {
            tone: 'bad',
            field: 'accountKey',
            message: `The account ${accountKey} is linked already; unlink it there first.`,
          },
          409,
        );
      default:
        return unhandled(done);
    }
  });

  web.post('/idm/:section/:id/links/:linkId/unlink', session, acceptForm('editIdm'), async (c) => {
    const section = sectionOf(c.req.param('section'));
    if (!section) return notFoundPage(c, 'IDM section');
    const id = c.req.param('id');
    const done = await idm.unlink(types[section], id, c.req.param('linkId'), c.get('person'));
    switch (done.outcome) {
      case 'unlinked':
        return showObject(c, section, id, {
          tone: 'ok',
          message: `Unlinked the account ${done.link.accountKey}.`,
        });
      case 'not_found':
        return notFoundPage(c, `IDM ${types[section].toLowerCase()}`);
      case 'link_not_found':
        return showObject(c, section, id, { tone: 'bad', message: 'That link is gone already.' }, 404);
      default:
        return unhandled(done);
    }
  });

  web.get('/systems/:id/accounts', session, async (c) => {
    const system = await systems.get(c.req.param('id'));
    if (!system) return notFoundPage(c, 'managed system');
    const q = c.req.query('q')?.trim() || undefined;
    const state = oneOf(accountLinkStates, c.req.query('state'));
    const cursor = cursorOf(accountCursor, c.req.query('cursor'));
    const page = await idm.accounts(system.id, { q, state, after: cursor, limit: pageSize });
    if (page.outcome === 'not_found') return notFoundPage(c, 'managed system');
    const path = `/systems/${system.id}/accounts`;
    return render(
      c,
      SystemAccountsPage({
        page: pageContext(c),
        system,
        items: page.items,
        filter: { q, state },
        nextPage: page.next ? pageLink(path, { q, state }, page.next) : null,
        firstPage: cursor ? pageLink(path, { q, state }) : null,
      }),
    );
  });
}
