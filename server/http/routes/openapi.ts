import type { Hono } from 'hono';
import type { Services } from '../../main.ts';
import type { AppEnv } from '../app.ts';
import { renderDocs } from '../docs-html.ts';
import { buildOpenApi, type OpenApiDocument } from '../openapi.ts';
import type { ApiRoute } from '../route.ts';

export type OpenApiResponse = OpenApiDocument;

/**
 * GET /openapi.json and GET /docs, without a token. Built on first request, once every route
 * (including those registered after this call) is on the app.
 */
export function registerOpenApi(app: Hono<AppEnv>, described: ApiRoute[], services: Services) {
  let document: OpenApiDocument | undefined;
  const build = () => {
    document ??= buildOpenApi(described, app.routes, services.version);
    return document;
  };
  app.get('/openapi.json', (c) => c.json(build()));
  app.get('/docs', (c) => c.html(renderDocs(build())));
}
