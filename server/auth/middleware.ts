import { and, eq, isNull, sql } from 'drizzle-orm';
import type { MiddlewareHandler } from 'hono';
import type { Database } from '../db/client.ts';
import { apiTokens, type TokenRole } from '../db/schema/api-tokens.ts';
import type { AppEnv } from '../http/app.ts';
import { ApiError } from '../http/errors.ts';
import { hashToken } from './tokens.ts';

export type Caller = { tokenId: string; role: TokenRole; name: string };

/** Methods a viewer may use: reading never changes anything. */
const readMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** API.md "Roles": an operator starts runs, applies plans and resolves disputes, and reads everything. */
const operatorWrites = [
  /^\/api\/recon-configs\/[^/]+\/runs$/,
  /^\/api\/runs\/[^/]+\/apply$/,
  /^\/api\/disputes\/[^/]+\/resolve$/,
];
const mayWrite = (role: TokenRole, method: string, path: string) =>
  role === 'admin' || (role === 'operator' && method === 'POST' && operatorWrites.some((p) => p.test(path)));

/** `last_used_at` is advisory: write it at most once a minute per token, not on every request. */
const touchIntervalMs = 60_000;

/**
 * Bearer-token authentication for `/api/*`. The token's SHA-256 is looked up (revoked tokens
 * never match); an admin may do anything, a viewer may only read.
 */
export function requireToken(db: Database): MiddlewareHandler<AppEnv> {
  const touched = new Map<string, number>();
  return async (c, next) => {
    const header = c.req.header('authorization');
    if (!header) {
      throw new ApiError('UNAUTHORIZED', 'missing token: send the header "Authorization: Bearer <token>"');
    }
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
    if (!readMethods.has(c.req.method) && !mayWrite(row.role, c.req.method, c.req.path)) {
      throw new ApiError(
        'FORBIDDEN',
        row.role === 'viewer'
          ? `a viewer token may only read; ${c.req.method} needs an admin token`
          : `an operator token may start runs, apply plans and resolve disputes; ${c.req.method} ${c.req.path} needs an admin token`,
      );
    }
    const now = Date.now();
    if (now - (touched.get(row.id) ?? 0) > touchIntervalMs) {
      touched.set(row.id, now);
      await db.orm.update(apiTokens).set({ lastUsedAt: sql`now()` }).where(eq(apiTokens.id, row.id));
    }
    c.set('caller', { tokenId: row.id, role: row.role, name: row.name });
    await next();
  };
}
