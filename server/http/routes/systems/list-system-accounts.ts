import { createRoute, z } from '@hono/zod-openapi';
import { objectTypes } from '../../../core/model.ts';
import type { Services } from '../../../services/index.ts';
import { unhandled } from '../../../services/outcomes.ts';
import { accountLinkStates } from '../../../store/last-read-accounts.ts';
import { access, errorResponses, idParams, json } from '../../api-route.ts';
import type { ApiApp } from '../../app-env.ts';
import { cursorParam, encodeCursor, limitParam } from '../../cursor.ts';
import { ApiError } from '../../errors.ts';

export const systemAccountSchema = z.object({
  key: z.string().describe("the account's unique field key"),
  objectType: z.enum(objectTypes),
  configId: z.string().describe('the config whose run read it'),
  runId: z.string().describe('the full run that read it'),
  readAt: z.string().nullable(),
  attributes: z.record(z.string(), z.unknown()),
  state: z.enum(accountLinkStates),
  link: z.object({ id: z.string(), idmObjectId: z.string(), status: z.string() }).nullable(),
});

export const listSystemAccountsResponse = z.object({
  items: z.array(systemAccountSchema),
  nextCursor: z.string().nullable(),
});
export type ListSystemAccountsResponse = z.infer<typeof listSystemAccountsResponse>;

export const listSystemAccountsRoute = createRoute({
  method: 'get',
  path: '/api/systems/{id}/accounts',
  ...access('viewer'),
  tags: ['systems'],
  summary: "The accounts the system's last full runs read, with their link state now; no new read",
  request: {
    params: idParams,
    query: z.strictObject({
      q: z
        .string()
        .min(1)
        .max(200)
        .optional()
        .describe('prefix of the key, or text within the attributes (case-insensitive)'),
      state: z.enum(accountLinkStates).optional(),
      cursor: cursorParam(z.object({ objectType: z.string(), key: z.string() }))
        .optional()
        .describe('nextCursor of the previous page'),
      limit: limitParam(1000, 100),
    }),
  },
  responses: { 200: json(listSystemAccountsResponse, 'one page of accounts'), ...errorResponses },
});

export function registerListSystemAccounts(app: ApiApp, services: Services) {
  app.openapi(listSystemAccountsRoute, async (c) => {
    const { id } = c.req.valid('param');
    const { q, state, cursor, limit } = c.req.valid('query');
    const page = await services.accounts.list(id, { q, state, after: cursor, limit });
    switch (page.outcome) {
      case 'listed': {
        const response: ListSystemAccountsResponse = {
          items: page.items,
          nextCursor: page.next ? encodeCursor(page.next) : null,
        };
        return c.json(response, 200);
      }
      case 'not_found':
        throw new ApiError('NOT_FOUND', `no managed system with id "${id}"`);
      default:
        return unhandled(page);
    }
  });
}
