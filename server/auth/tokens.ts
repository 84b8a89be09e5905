import { createHash, randomBytes } from 'node:crypto';
import type { TokenRole } from '../core/model.ts';

/** API tokens are 32 random bytes behind a recognisable prefix; only their SHA-256 is stored. */
export const tokenPrefix = 'tu_';

/** Where the first start writes its admin token, inside DATA_DIR. */
export const adminTokenFile = 'admin.token';

export function generateToken(): string {
  return `${tokenPrefix}${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The part of a token that may be shown to identify it (never enough to use it). */
export function displayPrefix(token: string): string {
  return token.slice(0, tokenPrefix.length + 6);
}

export type IssuedToken = { id: string; name: string; role: TokenRole; token: string };
