import { issueToken } from '../auth/issue-token.ts';
import {
  findLiveToken,
  findToken,
  type LiveToken,
  listTokens,
  revokeToken,
  type TokenInfo,
  touchToken,
} from '../auth/token-admin.ts';
import { type TokenRole, tokenRoles } from '../core/model.ts';
import type { Database } from '../db/client.ts';
import { type Invalid, invalid } from './outcomes.ts';

/** A token as every surface shows it: never the token itself, only its first characters. */
export type TokenView = {
  id: string;
  name: string;
  role: TokenRole;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
};

export type CreateTokenOutcome = { outcome: 'created'; token: TokenView; secret: string } | Invalid;

export type RevokeTokenOutcome =
  | { outcome: 'revoked'; token: TokenView }
  | { outcome: 'not_found' }
  | { outcome: 'already_revoked' }
  /** The last live admin token stays: without one nobody could manage tokens over the API. */
  | { outcome: 'last_admin' };

/** `revokeByRef` may also meet a name that several live tokens share: the ids say which. */
export type RevokeByRefOutcome = RevokeTokenOutcome | { outcome: 'ambiguous'; ids: string[] };

const viewOf = (t: TokenInfo): TokenView => ({
  id: t.id,
  name: t.name,
  role: t.role,
  prefix: t.prefix,
  createdAt: t.createdAt.toISOString(),
  lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
  revokedAt: t.revokedAt?.toISOString() ?? null,
});

export const maxTokenNameLength = 100;

/**
 * Which token `ref` names: the one with that id, else the one live token with that name (a
 * revoked one when no live one has it). The CLI resolves names this way over the API's list too.
 */
export function pickToken(
  tokens: TokenView[],
  ref: string,
): { outcome: 'found'; id: string } | { outcome: 'not_found' } | { outcome: 'ambiguous'; ids: string[] } {
  const byId = tokens.find((t) => t.id === ref);
  if (byId) return { outcome: 'found', id: byId.id };
  const named = tokens.filter((t) => t.name === ref);
  const live = named.filter((t) => !t.revokedAt);
  if (live.length > 1) return { outcome: 'ambiguous', ids: live.map((t) => t.id) };
  const one = live[0] ?? named[0];
  return one ? { outcome: 'found', id: one.id } : { outcome: 'not_found' };
}

/** `last_used_at` is advisory: written at most once a minute per token, not on every request. */
const touchIntervalMs = 60_000;

/** API tokens (docs/api.md `/api/tokens`, `trueup token`, the console's Tokens page). */
export function createTokenService({ db }: { db: Database }) {
  const touched = new Map<string, number>();

  async function revoke(id: string): Promise<RevokeTokenOutcome> {
    const result = await revokeToken(db, id);
    if ('revoked' in result) return { outcome: 'revoked', token: viewOf(result.revoked) };
    return { outcome: result.notRevoked };
  }

  return {
    async list(): Promise<TokenView[]> {
      return (await listTokens(db)).map(viewOf);
    },

    /** The secret is returned here once; only its SHA-256 is stored. */
    async create(input: { name: string; role: TokenRole }): Promise<CreateTokenOutcome> {
      const name = input.name.trim();
      if (name === '') return invalid('name', 'must not be blank');
      if (name.length > maxTokenNameLength)
        return invalid('name', `must be at most ${maxTokenNameLength} characters`);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
      if (/[\u0000-\u001f\u007f]/.test(name)) return invalid('name', 'must not hold control characters');
      if (!tokenRoles.includes(input.role)) return invalid('role', `must be one of ${tokenRoles.join(', ')}`);
      const issued = await issueToken(db, input.role, name);
      const stored = await findToken(db, issued.id);
      return { outcome: 'created', token: viewOf(stored!), secret: issued.token };
    },

    revoke,

    /** The CLI's `token revoke <id|name>`: an id, or the name of exactly one live token. */
    async revokeByRef(ref: string): Promise<RevokeByRefOutcome> {
      const picked = pickToken((await listTokens(db)).map(viewOf), ref);
      return picked.outcome === 'found' ? revoke(picked.id) : picked;
    },

    /**
     * Who is calling: the live token with this secret (an API request, a console sign-in) or id
     * (a console session). A revoked token is refused at once; `lastUsedAt` is kept roughly.
     */
    async caller(by: { secret: string } | { id: string }): Promise<LiveToken | null> {
      const token = await findLiveToken(db, by);
      if (!token) return null;
      const now = Date.now();
      if (now - (touched.get(token.id) ?? 0) > touchIntervalMs) {
        touched.set(token.id, now);
        await touchToken(db, token.id);
      }
      return token;
    },
  };
}

export type TokenService = ReturnType<typeof createTokenService>;
