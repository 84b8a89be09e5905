import type { MiddlewareHandler } from 'hono';
import { roleAllows } from '../auth/roles.ts';
import type { TokenRole } from '../core/model.ts';
import type { TokenService } from '../services/tokens.ts';
import type { AppEnv } from './app-env.ts';
import { ApiError } from './errors.ts';

export const missingToken = () =>
  new ApiError('UNAUTHORIZED', 'missing token: send the header "Authorization: Bearer <token>"');

/**
 * Bearer-token authentication for `/api/*`: a request with an Authorization header must carry a
 * live token (its SHA-256 is looked up; revoked tokens never match), which becomes the `caller`.
 * A request without one goes on with no caller; each route then says who may use it (`allow`).
 */
export function authenticate(tokens: TokenService): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    if (header === undefined) return next();
    const match = /^Bearer +([A-Za-z0-9_\-.~+/=]{1,512})$/i.exec(header.trim());
    if (!match) {
      throw new ApiError('UNAUTHORIZED', 'the Authorization header must be "Bearer <token>"');
    }
    const token = await tokens.caller({ secret: match[1]! });
    if (!token) throw new ApiError('UNAUTHORIZED', 'the token is unknown or revoked');
    c.set('caller', { tokenId: token.id, role: token.role, name: token.name });
    await next();
  };
}

/** A route's permission (docs/api.md "Signing in, roles, errors"): a token of `role` or a stronger one. */
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
