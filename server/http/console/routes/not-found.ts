import type { Context } from 'hono';
import type { ConsoleEnv } from '../console-env.ts';
import { render } from '../html.ts';
import { ErrorPage } from '../pages/signin.ts';

export function notFoundPage(c: Context<ConsoleEnv>, what: string) {
  return render(
    c,
    ErrorPage({ title: 'Not found', message: `There is no such ${what}.`, signedIn: true }),
    404,
  );
}
