import { CsrfField } from './components/fields.ts';
import type { PageContext } from './console-env.ts';
import { type Html, html } from './html.ts';
import type { ConsoleAction } from './permissions.ts';

/** The navigation; a section with `need` shows only to a role allowed that action. */
const sections: Array<{ href: string; label: string; need?: ConsoleAction }> = [
  { href: '/', label: 'Dashboard' },
  { href: '/systems', label: 'Managed systems' },
  { href: '/idm/users', label: 'IDM' },
  { href: '/policies', label: 'Policies' },
  { href: '/runs', label: 'Activity' },
  { href: '/disputes', label: 'Disputes' },
  { href: '/tokens', label: 'Tokens', need: 'manageTokens' },
];

function current(path: string, href: string) {
  return href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`);
}

function Head(props: { title: string; refresh?: number | undefined }) {
  return html`<head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${props.title} · trueup</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="/assets/console.css" />
    <script src="/assets/console.js" defer></script>
  </head>`;
}

/** Every signed-in page: skip link, navigation, who is signed in, the page's own content. */
export function Layout(props: { page: PageContext; title: string; children?: unknown; wide?: boolean }) {
  const { page } = props;
  return html`<html lang="en">
    <${Head} title=${props.title} />
    <body>
      <a class="skip" href="#main">Skip to content</a>
      <header class="top">
        <a class="brand" href="/">trueup</a>
        <nav aria-label="Sections">
          <ul>
            ${sections
              .filter((s) => !s.need || page.can(s.need))
              .map(
                (s) =>
                  html`<li><a href=${s.href} aria-current=${current(page.path, s.href) ? 'page' : undefined}>${s.label}</a></li>`,
              )}
          </ul>
        </nav>
        <div class="who">
          <span><span class="visually-hidden">Signed in as </span>${page.person.name} <span class="role">${page.person.role}</span></span>
          <form method="post" action="/signout" class="inline-form">
            <${CsrfField} csrf=${page.csrf} />
            <button type="submit" class="button button-link">Sign out</button>
          </form>
        </div>
      </header>
      <main id="main" class=${props.wide ? 'wide' : undefined} tabindex="-1">
        <h1>${props.title}</h1>
        ${props.children}
      </main>
    </body>
  </html>`;
}

/** Pages shown before sign-in (and error pages when nobody is signed in). */
export function BareLayout(props: { title: string; children?: unknown }): Html {
  return html`<html lang="en">
    <${Head} title=${props.title} />
    <body class="bare">
      <main id="main">
        <p class="brand">trueup</p>
        <h1>${props.title}</h1>
        ${props.children}
      </main>
    </body>
  </html>`;
}
