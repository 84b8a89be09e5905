import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import type { Services } from '../services/index.ts';
import type { ApiApp, AppEnv } from './app-env.ts';
import { authenticate, missingToken } from './auth-middleware.ts';
import { mountConsole } from './console/index.ts';
import { ApiError, errorResponse, handleError, validationError } from './errors.ts';
import { registerApiRoutes } from './routes/index.ts';

/** JSON bodies are small; only a system's file upload may be large. */
export const maxJsonBodyBytes = 5 * 1024 * 1024;

/**
 * The HTTP API: one OpenAPIHono app, every route registered by its own file from its
 * `createRoute`, which also validates the request and documents it in /openapi.json.
 */
export function createApp(services: Services): ApiApp {
  const app: ApiApp = new OpenAPIHono<AppEnv>({
    // A request that fails its route's zod schemas leaves in the one error shape.
    defaultHook: (result, c) => {
      if (!result.success) return errorResponse(c, validationError(result.error, result.target));
    },
  });
  app.use(requestId());
  app.onError(handleError(services.log));
  app.notFound((c) =>
    // Without a token, /api answers 401 whether or not the route exists: no probing.
    errorResponse(
      c,
      c.req.path.startsWith('/api/') && !c.get('caller')
        ? missingToken()
        : new ApiError('NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`),
    ),
  );
  app.use('/api/*', authenticate(services.tokens));
  const limit = bodyLimit({
    maxSize: maxJsonBodyBytes,
    onError: () => {
      throw new ApiError('PAYLOAD_TOO_LARGE', `the request body is over ${maxJsonBodyBytes} bytes`);
    },
  });
  app.use('/api/*', (c, next) => (c.req.path.endsWith('/file') ? next() : limit(c, next)));
  // hono's JSON check cannot tell an empty body from a broken one; say which it is. A GET or
  // DELETE takes no body, so a client's habitual JSON content type on one means nothing.
  app.use('/api/*', async (c, next) => {
    if (
      c.req.path.endsWith('/file') ||
      ['GET', 'HEAD', 'DELETE', 'OPTIONS'].includes(c.req.method) ||
      !/^application\/([\w.-]+\+)?json/i.test(c.req.header('content-type') ?? '')
    ) {
      return next();
    }
    if ((await c.req.text()).trim() === '') {
      throw new ApiError('VALIDATION_FAILED', 'the request body is empty; send a JSON object');
    }
    return next();
  });
  registerApiRoutes(app, services);
  // The web console: server-rendered pages at `/` (server/http/console/).
  mountConsole(app, services);
  return app;
}

export type App = ReturnType<typeof createApp>;
