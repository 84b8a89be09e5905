import { createRoute, z } from '@hono/zod-openapi';
import { tokenRoles } from '../../../core/model.ts';
import type { Services } from '../../../services/index.ts';
import { unhandled } from '../../../services/outcomes.ts';
import { maxTokenNameLength } from '../../../services/tokens.ts';
import { access, errorResponses, json, jsonBody } from '../../api-route.ts';
import type { ApiApp } from '../../app-env.ts';
import { invalidInput } from '../../errors.ts';
import { tokenSchema } from './token-schema.ts';

export const createTokenBody = z.strictObject({
  name: z
    .string()
    .trim()
    .min(1, 'must not be blank')
    .max(maxTokenNameLength)
    .describe('who or what uses it, e.g. ci-bot'),
  role: z.enum(tokenRoles),
});

const createdToken = tokenSchema.extend({
  token: z.string().describe('the token itself: shown this once, only its SHA-256 is stored'),
});
export type CreateTokenResponse = z.infer<typeof createdToken>;

export const createTokenRoute = createRoute({
  method: 'post',
  path: '/api/tokens',
  ...access('admin'),
  tags: ['tokens'],
  summary: 'Create an API token; the answer holds the token once, never again',
  request: { body: jsonBody(createTokenBody) },
  responses: { 201: json(createdToken, 'the new token, with its secret'), ...errorResponses },
});

export function registerCreateToken(app: ApiApp, services: Services) {
  app.openapi(createTokenRoute, async (c) => {
    const created = await services.tokens.create(c.req.valid('json'));
    switch (created.outcome) {
      case 'created': {
        const response: CreateTokenResponse = { ...created.token, token: created.secret };
        return c.json(response, 201, { 'cache-control': 'no-store' });
      }
      case 'invalid':
        throw invalidInput(created);
      default:
        return unhandled(created);
    }
  });
}
