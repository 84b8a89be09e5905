import { createRoute, type z } from '@hono/zod-openapi';
import type { Services } from '../../../services/index.ts';
import { unhandled } from '../../../services/outcomes.ts';
import { access, errorResponses, idParams, json } from '../../api-route.ts';
import type { ApiApp } from '../../app-env.ts';
import { ApiError } from '../../errors.ts';
import { tokenSchema } from './token-schema.ts';

export type RevokeTokenResponse = z.infer<typeof tokenSchema>;

export const revokeTokenRoute = createRoute({
  method: 'delete',
  path: '/api/tokens/{id}',
  ...access('admin'),
  tags: ['tokens'],
  summary:
    'Revoke a token: its next request gets 401 and its console sessions end at once; the last admin token stays',
  request: { params: idParams },
  responses: { 200: json(tokenSchema, 'the revoked token'), ...errorResponses },
});

export function registerRevokeToken(app: ApiApp, services: Services) {
  app.openapi(revokeTokenRoute, async (c) => {
    const { id } = c.req.valid('param');
    const revoked = await services.tokens.revoke(id);
    switch (revoked.outcome) {
      case 'revoked': {
        const response: RevokeTokenResponse = revoked.token;
        return c.json(response, 200);
      }
      case 'not_found':
        throw new ApiError('NOT_FOUND', `no token with id "${id}"`);
      case 'already_revoked':
        throw new ApiError('CONFLICT', `token ${id} is revoked already`, { reason: 'already_revoked' });
      case 'last_admin':
        throw new ApiError(
          'CONFLICT',
          `token ${id} is the last live admin token; create another admin token before revoking it`,
          { reason: 'last_admin' },
        );
      default:
        return unhandled(revoked);
    }
  });
}
