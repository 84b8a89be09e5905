import { sql } from 'drizzle-orm';
import type { Hono } from 'hono';
import type { DatabaseKind } from '../../db/client.ts';
import type { Services } from '../../main.ts';
import type { AppEnv } from '../app.ts';

export type HealthResponse = { status: 'ok' | 'unavailable'; database: DatabaseKind; version: string };

export function registerHealth(app: Hono<AppEnv>, services: Services) {
  app.get('/health', async (c) => {
    const reachable = await services.db.rows(sql`select 1`).then(
      () => true,
      () => false,
    );
    const body: HealthResponse = {
      status: reachable ? 'ok' : 'unavailable',
      database: services.db.kind,
      version: services.version,
    };
    return c.json(body, reachable ? 200 : 503);
  });
}
