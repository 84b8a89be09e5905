import { z } from 'zod';
import { disputeStatuses } from '../../../db/schema/disputes.ts';
import type { Dispute } from '../../../services/disputes.ts';
import { cursorParam, encodeCursor, limitParam } from '../../cursor.ts';
import { defineRoute, queryOf } from '../../route.ts';
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

export const listDisputesRoute = defineRoute({
  method: 'GET',
  path: '/api/disputes',
  tag: 'disputes',
  summary: 'DISPUTED accounts waiting for a person (or decided), paged',
  status: 200,
  query: listDisputesQuery,
  response: listDisputesResponse,
  handler: (services) => async (c) => {
    const query = queryOf(c, listDisputesQuery);
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
    return c.json(response);
  },
});
