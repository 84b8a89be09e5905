import type { MiddlewareHandler } from 'hono';
import type { ConsoleEnv } from './console-env.ts';
import { FormFields } from './form-fields.ts';
import { type ConsoleAction, can } from './permissions.ts';
import { csrfMatches } from './session.ts';

/**
 * Every console POST goes through this: the form must carry the session's CSRF token, and the
 * signed-in role must be allowed `action`. A viewer's forged form is refused here with 403,
 * before any service is called.
 */
export function acceptForm(action: ConsoleAction | null): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    const body = await c.req.parseBody({ all: true });
    const values = new Map<string, string[]>();
    for (const [name, value] of Object.entries(body)) {
      const list = Array.isArray(value) ? value : [value];
      values.set(
        name,
        list.filter((v): v is string => typeof v === 'string'),
      );
    }
    const form = new FormFields(values);
    if (!csrfMatches(c.get('session'), form.raw('_csrf'))) {
      return c.text(
        'the form is out of date or was not sent by this console (CSRF check failed); reload the page',
        403,
      );
    }
    if (action && !can(c.get('person').role, action)) {
      return c.text(`a ${c.get('person').role} may not do this (${action})`, 403);
    }
    c.set('form', form);
    await next();
  };
}
