import { tokenRoles } from '../../../core/model.ts';
import type { TokenView } from '../../../services/tokens.ts';
import { CsrfField, Notice, PostButton, SelectField, TextField } from '../components/fields.ts';
import { StatusBadge } from '../components/status.ts';
import { Time } from '../components/time.ts';
import type { PageContext } from '../console-env.ts';
import { html } from '../html.ts';
import { Layout } from '../layout.ts';

/** What the last form did: a new token (its secret shown this once), a revocation, or a problem. */
export type TokensNotice =
  | { kind: 'created'; token: TokenView; secret: string }
  | { kind: 'revoked'; name: string }
  | { kind: 'problem'; message: string; field?: 'name' | 'role' };

function Created(props: { token: TokenView; secret: string }) {
  return html`<${Notice} tone="ok">
    <p>Created the ${props.token.role} token <strong>${props.token.name}</strong>. Copy it now: it is shown only this once, and trueup keeps only its hash.</p>
    <${TextField} name="secret" label=${`Token for ${props.token.name}`} value=${props.secret} readonly=${true} />
  </${Notice}>`;
}

function TokenRow(props: { token: TokenView; page: PageContext }) {
  const { token, page } = props;
  const you = token.id === page.person.tokenId;
  return html`<tr>
    <th scope="row">${token.name}${you ? html` <span class="muted">(you)</span>` : null}</th>
    <td>${token.role}</td>
    <td><code>${token.prefix}…</code></td>
    <td><${Time} at=${token.createdAt} /></td>
    <td><${Time} at=${token.lastUsedAt} /></td>
    <td>${token.revokedAt ? html`<${StatusBadge} status="revoked" /> <${Time} at=${token.revokedAt} />` : html`<${StatusBadge} status="ok" label="active" />`}</td>
    <td>${
      token.revokedAt
        ? null
        : html`<${PostButton} action=${`/tokens/${token.id}/revoke`} csrf=${page.csrf} label=${`Revoke ${token.name}`} kind="danger"
            confirm=${`Revoke the token "${token.name}"? Every request and console session using it is refused at once.${you ? ' It is the token you are signed in with.' : ''}`} />`
    }</td>
  </tr>`;
}

export function TokensPage(props: {
  page: PageContext;
  tokens: TokenView[];
  notice?: TokensNotice | undefined;
  form?: { name?: string | undefined; role?: string | undefined };
}) {
  const { page, notice } = props;
  const problem = notice?.kind === 'problem' ? notice : undefined;
  return Layout({
    page,
    title: 'API tokens',
    wide: true,
    children: html`
      <p>Tokens sign in to the console and call the API. A viewer reads; an operator also starts runs, applies plans, cancels runs and resolves disputes; an admin may do everything. A token's name is recorded as who started, applied or decided.</p>
      ${notice?.kind === 'created' ? html`<${Created} token=${notice.token} secret=${notice.secret} />` : null}
      ${notice?.kind === 'revoked' ? html`<${Notice} tone="ok"><p>Revoked <strong>${notice.name}</strong>: it is refused from now on.</p></${Notice}>` : null}
      ${problem && !problem.field ? html`<${Notice} tone="bad"><p>${problem.message}</p></${Notice}>` : null}
      <section aria-labelledby="create-h" class="panel">
        <h2 id="create-h">Create a token</h2>
        <form method="post" action="/tokens" class="toolbar">
          <${CsrfField} csrf=${page.csrf} />
          <${TextField} name="name" label="Name" required=${true} placeholder="ci-bot" value=${props.form?.name}
            hint="Who or what uses it." error=${problem?.field === 'name' ? problem.message : undefined} />
          <${SelectField} name="role" label="Role" value=${props.form?.role ?? 'viewer'}
            options=${tokenRoles.map((r) => ({ value: r }))} error=${problem?.field === 'role' ? problem.message : undefined} />
          <button type="submit" class="button button-primary">Create token</button>
        </form>
      </section>
      <h2>Tokens</h2>
      <div class="table-wrap"><table>
        <caption class="visually-hidden">API tokens, oldest first</caption>
        <thead><tr><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Token</th><th scope="col">Created</th>
          <th scope="col">Last used</th><th scope="col">State</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>${props.tokens.map((token) => html`<${TokenRow} token=${token} page=${page} />`)}</tbody>
      </table></div>`,
  });
}
