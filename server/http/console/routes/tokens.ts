import type { Context, Hono } from 'hono';
import { type TokenRole, tokenRoles } from '../../../core/model.ts';
import type { Services } from '../../../services/index.ts';
import { unhandled } from '../../../services/outcomes.ts';
import { type ConsoleEnv, pageContext, requireSession } from '../console-env.ts';
import { acceptForm } from '../form.ts';
import { render } from '../html.ts';
import { ErrorPage } from '../pages/signin.ts';
import { type TokensNotice, TokensPage } from '../pages/tokens.ts';
import { can } from '../permissions.ts';

/** The console's Tokens page (docs/api.md `/api/tokens`): admins only, like the API. */
export function registerTokens(web: Hono<ConsoleEnv>, services: Services) {
  const session = requireSession(services);
  const { tokens } = services;

  const show = async (
    c: Context<ConsoleEnv>,
    notice?: TokensNotice,
    status: 200 | 400 | 404 | 409 = 200,
    form?: { name?: string | undefined; role?: string | undefined },
  ) => render(c, TokensPage({ page: pageContext(c), tokens: await tokens.list(), notice, form }), status);

  web.get('/tokens', session, async (c) => {
    if (!can(c.get('person').role, 'manageTokens')) {
      return render(
        c,
        ErrorPage({ title: 'Not allowed', message: 'Only an admin may manage API tokens.', signedIn: true }),
        403,
      );
    }
    return show(c);
  });

  web.post('/tokens', session, acceptForm('manageTokens'), async (c) => {
    const form = c.get('form');
    const name = form.text('name') ?? '';
    const role = form.text('role') ?? '';
    const values = { name, role };
    if (!tokenRoles.includes(role as TokenRole)) {
      return show(
        c,
        { kind: 'problem', field: 'role', message: `Choose one of ${tokenRoles.join(', ')}.` },
        400,
        values,
      );
    }
    const created = await tokens.create({ name, role: role as TokenRole });
    switch (created.outcome) {
      case 'created':
        return show(c, { kind: 'created', token: created.token, secret: created.secret });
      case 'invalid':
        return show(c, { kind: 'problem', field: 'name', message: `Name ${created.message}.` }, 400, values);
      default:
        return unhandled(created);
    }
  });

  web.post('/tokens/:id/revoke', session, acceptForm('manageTokens'), async (c) => {
    const revoked = await tokens.revoke(c.req.param('id'));
    switch (revoked.outcome) {
      case 'revoked':
        // Revoking one's own token ends this session too: the next page asks to sign in again.
        return show(c, { kind: 'revoked', name: revoked.token.name });
      case 'not_found':
        return show(c, { kind: 'problem', message: 'There is no such token.' }, 404);
      case 'already_revoked':
        return show(c, { kind: 'problem', message: 'That token is revoked already.' }, 409);
      case 'last_admin':
        return show(
          c,
          {
            kind: 'problem',
            message: 'That is the last admin token: create another admin token before revoking it.',
          },
          409,
        );
      default:
        return unhandled(revoked);
    }
  });
}
