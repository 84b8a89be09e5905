import { createRoute, z } from '@hono/zod-openapi';
import type { Services } from '../../../services/index.ts';
import { access, errorResponses, json } from '../../api-route.ts';
import type { ApiApp } from '../../app-env.ts';
import { tokenSchema } from './token-schema.ts';

const tokenList = z.object({ items: z.array(tokenSchema) });
export type ListTokensResponse = z.infer<typeof tokenList>;

export const listTokensRoute = createRoute({
  method: 'get',
  path: '/api/tokens',
  ...access('admin'),
  tags: ['tokens'],
  summary: 'Every API token, oldest first: name, role, created, last used, revoked (never the token)',
  responses: { 200: json(tokenList, 'the tokens'), ...errorResponses },
});

export function registerListTokens(app: ApiApp, services: Services) {
  app.openapi(listTokensRoute, async (c) => {
    const response: ListTokensResponse = { items: await services.tokens.list() };
    return c.json(response, 200);
  });
}
