import type { Context } from 'hono';
import { jsx } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import htmModule from 'htm';

/**
 * hono/jsx through tagged templates: Node runs TypeScript by stripping types, which cannot
 * compile JSX syntax, so htm turns `html\`<p class=${x}>…</p>\`` into the same `jsx()` calls a
 * JSX compiler would emit. Interpolated values are escaped by hono/jsx.
 */
// htm's typings are CommonJS-shaped; under Node's ESM loader the default import is htm itself.
const htm = htmModule as unknown as (typeof htmModule)['default'];

export const html = htm.bind(jsx);

export type Html = ReturnType<typeof html>;

/**
 * Sends a page. Pages carry CSRF tokens and people's names: never cached, never framed, and
 * only the console's own CSS and script may load.
 */
export function render(c: Context, page: Html, status: ContentfulStatusCode = 200) {
  return c.html(`<!doctype html>${String(page)}`, status, {
    'cache-control': 'no-store',
    'x-frame-options': 'DENY',
    'content-security-policy':
      "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'",
  });
}
