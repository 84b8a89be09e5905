import type { Hono } from 'hono';
import type { Services } from '../../../services/index.ts';
import { findPerson } from '../adapters/auth.ts';
import { anonymousSession, type ConsoleEnv } from '../console-env.ts';
import { render } from '../html.ts';
import { SignInPage } from '../pages/signin.ts';
import { clearSession, csrfMatches, readSession, writeSession } from '../session.ts';

/** Only a path on this server: never an open redirect to somewhere else. */
function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?!\/)[^\s\\]*$/.test(next) && !next.startsWith('/signin')
    ? next
    : '/';
}

export function registerAuth(web: Hono<ConsoleEnv>, services: Services) {
  web.get('/signin', (c) => {
    const session = anonymousSession(c, services);
    return render(
      c,
      SignInPage({
        csrf: session.csrf,
        next: safeNext(c.req.query('next')),
        signedOut: c.req.query('signedOut') === '1',
      }),
    );
  });

  web.post('/signin', async (c) => {
    const form = await c.req.parseBody();
    const session = readSession(c, services.secrets);
    const next = safeNext(form.next);
    if (!session || !csrfMatches(session, form._csrf)) {
      const fresh = writeSession(c, services.secrets, null);
      return render(
        c,
        SignInPage({ csrf: fresh.csrf, next, error: 'The sign-in form had expired. Please try again.' }),
        403,
      );
    }
    const token = typeof form.token === 'string' ? form.token.trim() : '';
    const person = token && token.length <= 512 ? await findPerson(services.tokens, { secret: token }) : null;
    if (!person) {
      return render(
        c,
        SignInPage({ csrf: session.csrf, next, error: 'That token is unknown or revoked.' }),
        401,
      );
    }
    // A new session (and CSRF token) at sign-in: nothing from before it carries over.
    writeSession(c, services.secrets, person.tokenId);
    services.log.info({ token: person.name, role: person.role }, 'console sign-in');
    return c.redirect(next, 303);
  });

  web.post('/signout', async (c) => {
    const form = await c.req.parseBody();
    const session = readSession(c, services.secrets);
    if (!session || !csrfMatches(session, form._csrf)) return c.text('CSRF check failed', 403);
    clearSession(c);
    return c.redirect('/signin?signedOut=1', 303);
  });
}
