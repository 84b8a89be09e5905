import { asc } from 'drizzle-orm';
import { z } from 'zod';
import { managedSystems } from '../../../db/schema/managed-systems.ts';
import { defineRoute } from '../../route.ts';
import { systemSchema, toSystemResponse } from './system-view.ts';

export const listSystemsResponse = z.object({ items: z.array(systemSchema) });
export type ListSystemsResponse = z.infer<typeof listSystemsResponse>;

export const listSystemsRoute = defineRoute({
  method: 'GET',
  path: '/api/systems',
  tag: 'systems',
  summary: 'List managed systems (secrets shown as "********")',
  status: 200,
  response: listSystemsResponse,
  handler: (services) => async (c) => {
    const rows = await services.db.orm.select().from(managedSystems).orderBy(asc(managedSystems.name));
    const response: ListSystemsResponse = {
      items: rows.map((row) => toSystemResponse(row, services.secrets)),
    };
    return c.json(response);
  },
});
