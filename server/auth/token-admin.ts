import { and, asc, eq, isNull, ne, type SQL, sql } from 'drizzle-orm';
import type { TokenRole } from '../core/model.ts';
import type { Database } from '../db/client.ts';
import { apiTokens } from '../db/schema/api-tokens.ts';
import { hashToken } from './tokens.ts';

/** The SQL on `api_tokens` besides issuing one (issue-token.ts): list, find, revoke, touch. */
export type TokenInfo = {
  id: string;
  name: string;
  role: TokenRole;
  /** The first characters of the token, enough to recognise it, never to use it. */
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
};

/** A live token as a request or a console session sees it: who is calling. */
export type LiveToken = { id: string; role: TokenRole; name: string };

const infoColumns = {
  id: apiTokens.id,
  name: apiTokens.name,
  role: apiTokens.role,
  prefix: apiTokens.prefix,
  createdAt: apiTokens.createdAt,
  lastUsedAt: apiTokens.lastUsedAt,
  revokedAt: apiTokens.revokedAt,
};

export async function listTokens(db: Database): Promise<TokenInfo[]> {
  return db.orm.select(infoColumns).from(apiTokens).orderBy(asc(apiTokens.createdAt), asc(apiTokens.id));
}

export async function findToken(db: Database, id: string): Promise<TokenInfo | null> {
  const [row] = await db.orm.select(infoColumns).from(apiTokens).where(eq(apiTokens.id, id));
  return row ?? null;
}

/**
 * The live (not revoked) token with this secret or this id, read on every request and every
 * console page, so a revoked token is refused at once everywhere.
 */
export async function findLiveToken(
  db: Database,
  by: { secret: string } | { id: string },
): Promise<LiveToken | null> {
  const match: SQL = 'secret' in by ? eq(apiTokens.tokenHash, hashToken(by.secret)) : eq(apiTokens.id, by.id);
  const [row] = await db.orm
    .select({ id: apiTokens.id, role: apiTokens.role, name: apiTokens.name })
    .from(apiTokens)
    .where(and(match, isNull(apiTokens.revokedAt)))
    .limit(1);
  return row ?? null;
}

export async function touchToken(db: Database, id: string) {
  await db.orm.update(apiTokens).set({ lastUsedAt: sql`now()` }).where(eq(apiTokens.id, id));
}

/** Lock key of revocations: two admins revoking each other's tokens cannot both be the last. */
const revokeLockKey = 0x7472_7566;

export type RevokeResult =
  | { revoked: TokenInfo }
  | { notRevoked: 'not_found' | 'already_revoked' | 'last_admin' };

/**
 * Revokes a token at once (its next request is refused, its console sessions end). The last live
 * admin token is kept: without it nobody could create or revoke tokens over the API any more.
 */
export async function revokeToken(db: Database, id: string): Promise<RevokeResult> {
  return db.withAdvisoryLock(revokeLockKey, async () => {
    const token = await findToken(db, id);
    if (!token) return { notRevoked: 'not_found' };
    if (token.revokedAt) return { notRevoked: 'already_revoked' };
    if (token.role === 'admin') {
      const [other] = await db.orm
        .select({ id: apiTokens.id })
        .from(apiTokens)
        .where(and(eq(apiTokens.role, 'admin'), isNull(apiTokens.revokedAt), ne(apiTokens.id, id)))
        .limit(1);
      if (!other) return { notRevoked: 'last_admin' };
    }
    const [revoked] = await db.orm
      .update(apiTokens)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
      .returning(infoColumns);
    return revoked ? { revoked } : { notRevoked: 'already_revoked' };
  });
}
