import { createRoute, z } from '@hono/zod-openapi';
import { idmStatuses } from '../../../db/schema/idm-objects.ts';
import type { Services } from '../../../services/index.ts';
import { unhandled } from '../../../services/outcomes.ts';
import { access, errorResponses, json } from '../../api-route.ts';
import type { ApiApp } from '../../app-env.ts';
import { cursorParam, encodeCursor, limitParam } from '../../cursor.ts';
import { invalidInput } from '../../errors.ts';
import { type IdmCollection, idmCollections, idmObjectSchema } from './idm-view.ts';

const attributePrefix = 'attribute.';

const known = {
  status: z.enum(idmStatuses).optional(),
  q: z.string().min(1).max(200).optional().describe('prefix of the name, login or email (case-insensitive)'),
  cursor: cursorParam(z.object({ name: z.string(), id: z.string() }))
    .optional()
    .describe('nextCursor of the previous page'),
  limit: limitParam(1000, 100),
};

/** The named parameters, plus any number of `attribute.<name>=<value>` filters; nothing else. */
export const listIdmQuery = z
  .object(known)
  .catchall(z.string().max(1000).describe('attribute.<name>=<value>: the attribute equals the value'))
  .superRefine((query, ctx) => {
    for (const key of Object.keys(query)) {
      if (key in known || key.startsWith(attributePrefix)) continue;
      ctx.addIssue({ code: 'custom', path: [key], message: 'is not a query parameter of this route' });
    }
  });

export const listIdmResponse = z.object({
  items: z.array(idmObjectSchema),
  nextCursor: z.string().nullable(),
});
export type ListIdmResponse = z.infer<typeof listIdmResponse>;

function listRoute(collection: IdmCollection) {
  return createRoute({
    method: 'get',
    path: `/api/idm/${collection}`,
    ...access('viewer'),
    tags: ['idm'],
    summary: `IDM ${collection}, by name, paged; filters: status, q (prefix), attribute.<name>=<value>`,
    request: { query: listIdmQuery },
    responses: { 200: json(listIdmResponse, `one page of ${collection}`), ...errorResponses },
  });
}

/** One list route per object type (the same query over one table). */
export const listIdmRoutes = Object.fromEntries(
  (Object.keys(idmCollections) as IdmCollection[]).map((collection) => [collection, listRoute(collection)]),
) as Record<IdmCollection, ReturnType<typeof listRoute>>;

export function registerListIdmObjects(app: ApiApp, services: Services) {
  for (const collection of Object.keys(idmCollections) as IdmCollection[]) {
    const type = idmCollections[collection];
    app.openapi(listIdmRoutes[collection], async (c) => {
      const { status, q, cursor, limit, ...rest } = c.req.valid('query');
      const attributes = Object.entries(rest).map(([key, value]) => ({
        name: key.slice(attributePrefix.length),
        value: String(value),
      }));
      const page = await services.idm.list(type, { status, q, attributes, after: cursor, limit });
      switch (page.outcome) {
        case 'listed': {
          const response: ListIdmResponse = {
            items: page.items,
            nextCursor: page.next ? encodeCursor(page.next) : null,
          };
          return c.json(response, 200);
        }
        case 'invalid':
          throw invalidInput(page);
        default:
          return unhandled(page);
      }
    });
  }
}
