import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import { type Caller, requireToken } from '../auth/middleware.ts';
import type { Services } from '../main.ts';
import { ApiError, errorResponse, handleError } from './errors.ts';
import { registerHealth } from './routes/health.ts';
import { apiRoutes } from './routes/index.ts';
import { registerOpenApi } from './routes/openapi.ts';
import { webhookPath } from './routes/systems/receive-changes.ts';

export type AppEnv = { Variables: { requestId: string; caller: Caller } };

/** JSON bodies are small; only a system's file upload may be large. */
export const maxJsonBodyBytes = 5 * 1024 * 1024;

/** The HTTP API: one hono app, every route registered by its own file. */
export function createApp(services: Services) {
  const app = new Hono<AppEnv>();
  app.use(requestId());
  app.onError(handleError(services.log));
  app.notFound((c) =>
    errorResponse(c, new ApiError('NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`)),
  );
  registerHealth(app, services);
  // Everything under /api needs a token; /health, /openapi.json and /docs do not. Nor does the
  // live-changes webhook: the system pushing changes holds no API token, it signs each body with
  // the system's webhook secret instead (checked by services/live-changes.ts).
  const auth = requireToken(services.db);
  app.use('/api/*', (c, next) =>
    c.req.method === 'POST' && webhookPath.test(c.req.path) ? next() : auth(c, next),
  );
  const limit = bodyLimit({
    maxSize: maxJsonBodyBytes,
    onError: () => {
      throw new ApiError('PAYLOAD_TOO_LARGE', `the request body is over ${maxJsonBodyBytes} bytes`);
    },
  });
  app.use('/api/*', (c, next) => (c.req.path.endsWith('/file') ? next() : limit(c, next)));
  for (const route of apiRoutes) app.on(route.method, route.path, route.handler(services));
  registerOpenApi(app, apiRoutes, services);
  return app;
}

export type App = ReturnType<typeof createApp>;
