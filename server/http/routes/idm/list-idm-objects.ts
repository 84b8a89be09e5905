import { and, asc, eq, gt, or, type SQL, sql } from 'drizzle-orm';
import type { Context } from 'hono';
import { z } from 'zod';
import { idmObjects, idmStatuses } from '../../../db/schema/idm-objects.ts';
import type { AppEnv } from '../../app.ts';
import { cursorParam, encodeCursor, limitParam } from '../../cursor.ts';
import { ApiError } from '../../errors.ts';
import { type ApiRoute, defineRoute } from '../../route.ts';
import {
  type IdmCollection,
  type IdmObjectResponse,
  idmCollections,
  idmObjectSchema,
  toIdmObject,
} from './idm-view.ts';

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
export type ListIdmResponse = { items: IdmObjectResponse[]; nextCursor: string | null };

const maxAttributeFilters = 20;
const attributePrefix = 'attribute.';
/** Attributes kept in their own columns; everything else is in the JSONB `attributes`. */
const columns = {
  name: idmObjects.name,
  login: idmObjects.login,
  email: idmObjects.email,
  employeeId: idmObjects.employeeId,
};

/** `attribute.<name>=<value>` filters: the attribute equals the value, or (multi-valued) holds it. */
function attributeFilters(c: Context<AppEnv>): SQL[] {
  const filters: SQL[] = [];
  const query = c.req.query();
  for (const [key, value] of Object.entries(query)) {
    if (!key.startsWith(attributePrefix)) continue;
    const name = key.slice(attributePrefix.length);
    if (!/^[A-Za-z0-9_.:-]{1,100}$/.test(name)) {
      throw new ApiError('VALIDATION_FAILED', `${key}: not a valid attribute name`, [
        { path: key, message: 'invalid' },
      ]);
    }
    const column = columns[name as keyof typeof columns];
    if (column) filters.push(eq(column, value));
    else
      filters.push(
        sql`(${idmObjects.attributes} ->> ${name} = ${value} or ${idmObjects.attributes} @> ${JSON.stringify({ [name]: [value] })}::jsonb)`,
      );
  }
  if (filters.length > maxAttributeFilters) {
    throw new ApiError('VALIDATION_FAILED', `at most ${maxAttributeFilters} attribute.<name> filters`);
  }
  return filters;
}

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
      const plain = Object.fromEntries(
        Object.entries(c.req.query()).filter(([k]) => !k.startsWith(attributePrefix)),
      );
      const query = listIdmQuery.parse(plain);
      const conditions: SQL[] = [eq(idmObjects.type, type), ...attributeFilters(c)];
      if (query.status) conditions.push(eq(idmObjects.status, query.status));
      if (query.q) {
        const q = query.q.toLowerCase();
        conditions.push(
          or(
            sql`starts_with(lower(${idmObjects.name}), ${q})`,
            sql`starts_with(lower(${idmObjects.login}), ${q})`,
            sql`starts_with(lower(${idmObjects.email}), ${q})`,
          )!,
        );
      }
      if (query.cursor) {
        const { name, id } = query.cursor;
        conditions.push(
          or(gt(idmObjects.name, name), and(eq(idmObjects.name, name), gt(idmObjects.id, id)))!,
        );
      }
      const rows = await services.db.orm
        .select()
        .from(idmObjects)
        .where(and(...conditions))
        .orderBy(asc(idmObjects.name), asc(idmObjects.id))
        .limit(query.limit + 1);
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      const response: ListIdmResponse = {
        items: page.map(toIdmObject),
        nextCursor: rows.length > query.limit && last ? encodeCursor({ name: last.name, id: last.id }) : null,
      };
      return c.json(response);
    },
  });
}

/** One list route per object type (the same query over one table). */
export const listIdmRoutes: ApiRoute[] = (Object.keys(idmCollections) as IdmCollection[]).map(listRoute);
