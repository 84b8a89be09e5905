import { CsrfField, Notice, TextField } from '../components/fields.ts';
import { html } from '../html.ts';
import { BareLayout } from '../layout.ts';

export function SignInPage(props: { csrf: string; next: string; error?: string; signedOut?: boolean }) {
  return BareLayout({
    title: 'Sign in',
    children: html`
      ${props.signedOut ? html`<${Notice} tone="ok">You are signed out.</${Notice}>` : null}
      ${props.error ? html`<${Notice} tone="bad">${props.error}</${Notice}>` : null}
      <form method="post" action="/signin" class="stack">
        <${CsrfField} csrf=${props.csrf} />
        <input type="hidden" name="next" value=${props.next} />
        <${TextField} name="token" label="API token" type="password" required=${true} autocomplete="current-password"
          hint="An admin, operator or viewer token (trueup token create, or data/admin.token on first start)." />
        <button type="submit" class="button button-primary">Sign in</button>
      </form>`,
  });
}

export function ErrorPage(props: { title: string; message: string; signedIn: boolean }) {
  return BareLayout({
    title: props.title,
    children: html`<p>${props.message}</p><p><a href=${props.signedIn ? '/' : '/signin'}>Back to the console</a></p>`,
  });
}
