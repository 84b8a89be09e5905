import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { apiTokens, type TokenRole } from '../db/schema/api-tokens.ts';

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

export async function listTokens(db: Database): Promise<TokenInfo[]> {
  return db.orm
    .select({
      id: apiTokens.id,
      name: apiTokens.name,
      role: apiTokens.role,
      prefix: apiTokens.prefix,
      createdAt: apiTokens.createdAt,
      lastUsedAt: apiTokens.lastUsedAt,
      revokedAt: apiTokens.revokedAt,
    })
    .from(apiTokens)
    .orderBy(asc(apiTokens.createdAt), asc(apiTokens.id));
}

/** Revokes a token at once (the next request with it is refused); false when no live token has this id. */
export async function revokeToken(db: Database, id: string): Promise<boolean> {
  const revoked = await db.orm
    .update(apiTokens)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
    .returning({ id: apiTokens.id });
  return revoked.length > 0;
}
