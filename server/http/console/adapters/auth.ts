import type { TokenRole } from '../../../core/model.ts';
import type { TokenService } from '../../../services/tokens.ts';

/** Who is signed in: the API token's id, name and role (never the token). */
export type Person = { tokenId: string; name: string; role: TokenRole };

/**
 * The live token a person typed at sign-in (`secret`), or a session's token (`id`), re-read on
 * every request so a revoked token ends its sessions at once; null when there is none.
 */
export async function findPerson(
  tokens: TokenService,
  by: { secret: string } | { id: string },
): Promise<Person | null> {
  const token = await tokens.caller(by);
  return token ? { tokenId: token.id, name: token.name, role: token.role } : null;
}
