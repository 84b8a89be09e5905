import { createRoute, z } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import type { Services } from '../../services/index.ts';
import { access, errorResponses } from '../api-route.ts';
import type { ApiApp } from '../app-env.ts';

export const healthSchema = z.object({
  status: z.enum(['ok', 'unavailable']),
  database: z.enum(['pglite', 'postgres']),
  version: z.string(),
});
export type HealthResponse = z.infer<typeof healthSchema>;

export const healthRoute = createRoute({
  method: 'get',
  path: '/health',
  ...access('public'),
  tags: ['service'],
  summary: 'Whether the server and its database answer',
  responses: {
    200: { description: 'up', content: { 'application/json': { schema: healthSchema } } },
    503: {
      description: 'the database does not answer',
      content: { 'application/json': { schema: healthSchema } },
    },
    ...errorResponses,
  },
});

export function registerHealth(app: ApiApp, services: Services) {
  app.openapi(healthRoute, async (c) => {
    const reachable = await services.db.rows(sql`select 1`).then(
      () => true,
      () => false,
    );
    const body: HealthResponse = {
      status: reachable ? 'ok' : 'unavailable',
      database: services.db.kind,
      version: services.version,
    };
    return reachable ? c.json(body, 200) : c.json(body, 503);
  });
}
