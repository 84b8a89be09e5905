import { createRoute, z } from '@hono/zod-openapi';
import { disputeStatuses } from '../../../db/schema/disputes.ts';
import type { Dispute } from '../../../services/disputes.ts';
import type { Services } from '../../../services/index.ts';
import { access, errorResponses, json } from '../../api-route.ts';
import type { ApiApp } from '../../app-env.ts';
import { cursorParam, encodeCursor, limitParam } from '../../cursor.ts';
import { disputeSchema } from './dispute-schema.ts';

export const listDisputesQuery = z.strictObject({
  configId: z.string().min(1).max(200).optional(),
  status: z.enum(disputeStatuses).optional(),
  cursor: cursorParam(z.object({ id: z.string() }))
    .optional()
    .describe('nextCursor of the previous page'),
  limit: limitParam(500, 50),
});

export const listDisputesResponse = z.object({
  items: z.array(disputeSchema),
  nextCursor: z.string().nullable(),
});
export type ListDisputesResponse = { items: Dispute[]; nextCursor: string | null };

export const listDisputesRoute = createRoute({
  method: 'get',
  path: '/api/disputes',
  ...access('viewer'),
  tags: ['disputes'],
  summary: 'DISPUTED accounts waiting for a person (or decided), paged',
  request: { query: listDisputesQuery },
  responses: { 200: json(listDisputesResponse, 'one page of disputes'), ...errorResponses },
});

export function registerListDisputes(app: ApiApp, services: Services) {
  app.openapi(listDisputesRoute, async (c) => {
    const query = c.req.valid('query');
    const page = await services.disputes.list({
      configId: query.configId,
      status: query.status,
      ...(query.cursor ? { afterId: query.cursor.id } : {}),
      limit: query.limit,
    });
    const response: ListDisputesResponse = {
      items: page.items,
      nextCursor: page.next ? encodeCursor({ id: page.next }) : null,
    };
    return c.json(response, 200);
  });
}
