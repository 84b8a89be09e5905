import { and, eq, isNull, sql } from 'drizzle-orm';
import type { MiddlewareHandler } from 'hono';
import type { Database } from '../db/client.ts';
import { apiTokens, type TokenRole } from '../db/schema/api-tokens.ts';
import type { AppEnv } from '../http/app.ts';
import { ApiError } from '../http/errors.ts';
import { roleAllows } from './roles.ts';
import { hashToken } from './tokens.ts';

/** The token behind a request: its id, role and name (the name is who started or approved a run). */
export type Caller = { tokenId: string; role: TokenRole; name: string };

/** `last_used_at` is advisory: write it at most once a minute per token, not on every request. */
const touchIntervalMs = 60_000;

export const missingToken = () =>
  new ApiError('UNAUTHORIZED', 'missing token: send the header "Authorization: Bearer <token>"');

/**
 * Bearer-token authentication for `/api/*`: a request with an Authorization header must carry a
 * live token (its SHA-256 is looked up; revoked tokens never match), which becomes the `caller`.
 * A request without one goes on with no caller; each route then says who may use it (`allow`).
 */
export function authenticate(db: Database): MiddlewareHandler<AppEnv> {
  const touched = new Map<string, number>();
  return async (c, next) => {
    const header = c.req.header('authorization');
    if (header === undefined) return next();
    const match = /^Bearer +([A-Za-z0-9_\-.~+/=]{1,512})$/i.exec(header.trim());
    if (!match) {
      throw new ApiError('UNAUTHORIZED', 'the Authorization header must be "Bearer <token>"');
    }
    const [row] = await db.orm
      .select({ id: apiTokens.id, role: apiTokens.role, name: apiTokens.name })
      .from(apiTokens)
      .where(and(eq(apiTokens.tokenHash, hashToken(match[1]!)), isNull(apiTokens.revokedAt)))
      .limit(1);
    if (!row) throw new ApiError('UNAUTHORIZED', 'the token is unknown or revoked');
    const now = Date.now();
    if (now - (touched.get(row.id) ?? 0) > touchIntervalMs) {
      touched.set(row.id, now);
      await db.orm.update(apiTokens).set({ lastUsedAt: sql`now()` }).where(eq(apiTokens.id, row.id));
    }
    c.set('caller', { tokenId: row.id, role: row.role, name: row.name });
    await next();
  };
}

/** A route's permission (API.md "Roles"): a token of `role` or a stronger one. */
export function allow(role: TokenRole): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const caller = c.get('caller');
    if (!caller) throw missingToken();
    if (!roleAllows(caller.role, role)) {
      throw new ApiError(
        'FORBIDDEN',
        `a ${caller.role} token may not ${c.req.method} ${c.req.path}; it needs an ${role === 'admin' ? 'admin' : `${role} or admin`} token`,
        { role: caller.role, needs: role },
      );
    }
    await next();
  };
}
