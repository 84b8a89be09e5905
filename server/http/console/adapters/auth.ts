import { and, eq, isNull } from 'drizzle-orm';
import { hashToken } from '../../../auth/tokens.ts';
import type { Database } from '../../../db/client.ts';
import { apiTokens, type TokenRole } from '../../../db/schema/api-tokens.ts';

/** Who is signed in: the API token's id, name and role (never the token). */
export type Person = { tokenId: string; name: string; role: TokenRole };

const columns = { tokenId: apiTokens.id, name: apiTokens.name, role: apiTokens.role };

/** The live (not revoked) token a person typed at sign-in, or null. */
export async function findTokenBySecret(db: Database, token: string): Promise<Person | null> {
  const [row] = await db.orm
    .select(columns)
    .from(apiTokens)
    .where(and(eq(apiTokens.tokenHash, hashToken(token)), isNull(apiTokens.revokedAt)))
    .limit(1);
  return row ?? null;
}

/** The session's token, re-read on every request so a revoked token ends its sessions at once. */
export async function findTokenById(db: Database, tokenId: string): Promise<Person | null> {
  const [row] = await db.orm
    .select(columns)
    .from(apiTokens)
    .where(and(eq(apiTokens.id, tokenId), isNull(apiTokens.revokedAt)))
    .limit(1);
  return row ?? null;
}
