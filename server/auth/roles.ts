import type { TokenRole } from '../core/model.ts';

/**
 * docs/api.md "Signing in, roles, errors": each role may do what the one before it may, and more. A viewer reads; an
 * operator also starts runs, applies plans and resolves disputes; an admin may do everything.
 */
const rank: Record<TokenRole, number> = { viewer: 0, operator: 1, admin: 2 };

/** Whether a token of role `have` may use a route that needs `need`. */
export function roleAllows(have: TokenRole, need: TokenRole): boolean {
  return rank[have] >= rank[need];
}
