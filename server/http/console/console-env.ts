import type { Context, Handler, MiddlewareHandler } from 'hono';
import type { Services } from '../../services/index.ts';
import { findPerson, type Person } from './adapters/auth.ts';
import type { FormFields } from './form-fields.ts';
import { type ConsoleAction, can } from './permissions.ts';
import { readSession, type Session, writeSession } from './session.ts';

/** `form` is set on POSTs by `acceptForm`, after its CSRF and role checks. */
export type ConsoleEnv = {
  Variables: { requestId: string; session: Session; person: Person; form: FormFields };
};
export type ConsoleContext = Context<ConsoleEnv>;

/** A page's view of the request: who is signed in, their CSRF token, what they may do. */
export type PageContext = {
  person: Person;
  csrf: string;
  can(action: ConsoleAction): boolean;
  /** The current path, to mark the navigation. */
  path: string;
};

export function pageContext(c: ConsoleContext): PageContext {
  const person = c.get('person');
  return {
    person,
    csrf: c.get('session').csrf,
    can: (action) => can(person.role, action),
    path: c.req.path,
  };
}

/** Sends anyone without a live session to the sign-in page (and back here afterwards). */
export function requireSession(services: Services): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    const session = readSession(c, services.secrets);
    const person = session?.tokenId ? await findPerson(services.tokens, { id: session.tokenId }) : null;
    if (!session || !person) {
      if (c.req.method !== 'GET') return c.text('sign in first', 401);
      const back = new URL(c.req.url);
      return c.redirect(`/signin?next=${encodeURIComponent(back.pathname + back.search)}`, 303);
    }
    c.set('session', session);
    c.set('person', person);
    await next();
  };
}

/** A session for the sign-in form: an existing one, or a fresh anonymous one carrying a CSRF token. */
export function anonymousSession(c: Context, services: Services): Session {
  return readSession(c, services.secrets) ?? writeSession(c, services.secrets, null);
}

export type ConsoleHandler = Handler<ConsoleEnv>;
