import { z } from 'zod';
import { idmStatuses } from '../../../db/schema/idm-objects.ts';
import { unhandled } from '../../../services/outcomes.ts';
import { cursorParam, encodeCursor, limitParam } from '../../cursor.ts';
import { invalidInput } from '../../errors.ts';
import { type ApiRoute, defineRoute } from '../../route.ts';
import { type IdmCollection, idmCollections, idmObjectSchema } from './idm-view.ts';

export const listIdmQuery = z.strictObject({
  status: z.enum(idmStatuses).optional(),
  q: z.string().min(1).max(200).optional().describe('prefix of the name, login or email (case-insensitive)'),
  cursor: cursorParam(z.object({ name: z.string(), id: z.string() }))
    .optional()
    .describe('nextCursor of the previous page'),
  limit: limitParam(1000, 100),
});

export const listIdmResponse = z.object({
  items: z.array(idmObjectSchema),
  nextCursor: z.string().nullable(),
});
export type ListIdmResponse = z.infer<typeof listIdmResponse>;

const attributePrefix = 'attribute.';

function listRoute(collection: IdmCollection): ApiRoute {
  const type = idmCollections[collection];
  return defineRoute({
    method: 'GET',
    path: `/api/idm/${collection}`,
    tag: 'idm',
    summary: `IDM ${collection}, by name, paged; filters: status, q (prefix), attribute.<name>=<value>`,
    status: 200,
    query: listIdmQuery,
    response: listIdmResponse,
    handler: (services) => async (c) => {
      const entries = Object.entries(c.req.query());
      const query = listIdmQuery.parse(
        Object.fromEntries(entries.filter(([k]) => !k.startsWith(attributePrefix))),
      );
      const attributes = entries
        .filter(([k]) => k.startsWith(attributePrefix))
        .map(([k, value]) => ({ name: k.slice(attributePrefix.length), value }));
      const page = await services.idm.list(type, {
        status: query.status,
        q: query.q,
        attributes,
        after: query.cursor,
        limit: query.limit,
      });
      switch (page.outcome) {
        case 'listed': {
          const response: ListIdmResponse = {
            items: page.items,
            nextCursor: page.next ? encodeCursor(page.next) : null,
          };
          return c.json(response);
        }
        case 'invalid':
          throw invalidInput(page);
        default:
          return unhandled(page);
      }
    },
  });
}

/** One list route per object type (the same query over one table). */
export const listIdmRoutes: ApiRoute[] = (Object.keys(idmCollections) as IdmCollection[]).map(listRoute);
