import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Hono } from 'hono';
import type { Services } from '../../services/index.ts';
import type { ApiApp } from '../app-env.ts';
import { consoleAdapters } from './adapters/index.ts';
import type { ConsoleEnv } from './console-env.ts';
import { render } from './html.ts';
import { ErrorPage } from './pages/signin.ts';
import { registerAuth } from './routes/auth.ts';
import { registerConfigs } from './routes/configs.ts';
import { registerDashboard } from './routes/dashboard.ts';
import { registerDisputes } from './routes/disputes.ts';
import { registerIdm } from './routes/idm.ts';
import { registerPolicies } from './routes/policies.ts';
import { registerReview } from './routes/review.ts';
import { registerRuns } from './routes/runs.ts';
import { registerSystems } from './routes/systems.ts';
import { registerTokens } from './routes/tokens.ts';

/** The console's own CSS and script, read once and served by trueup (no CDN). */
const assets = Object.fromEntries(
  (['console.css', 'console.js'] as const).map((name) => [
    name,
    readFileSync(path.join(import.meta.dirname, 'assets', name), 'utf8'),
  ]),
);
const assetTypes: Record<string, string> = {
  'console.css': 'text/css; charset=utf-8',
  'console.js': 'text/javascript; charset=utf-8',
};

/** The paths the console answers; everything else (`/api`, `/docs`, `/health`, …) is the API's. */
const consolePaths =
  /^\/(?:$|signin$|signout$|assets\/|systems(?:\/|$)|configs\/|policies(?:\/|$)|runs(?:\/|$)|disputes(?:\/|$)|tokens(?:\/|$)|idm\/)/;

/**
 * Serves the console from the API's app: its own hono app, reached through one middleware, so
 * the API's route table (and the OpenAPI document made from it) holds only the API.
 */
export function mountConsole(app: ApiApp, services: Services) {
  const web = createConsole(services);
  app.use('*', async (c, next) => (consolePaths.test(c.req.path) ? web.fetch(c.req.raw, c.env) : next()));
}

/**
 * The web console (docs/api.md "The web console"): server-rendered pages at `/`, signed in with an API
 * token. Every page calls the console's adapters, which call the same use cases as the API.
 */
export function createConsole(services: Services) {
  const web = new Hono<ConsoleEnv>();
  const adapters = consoleAdapters(services);
  web.get('/assets/:name', (c) => {
    const name = c.req.param('name');
    const body = assets[name];
    if (body === undefined) return c.text('not found', 404);
    return c.body(body, 200, { 'content-type': assetTypes[name]!, 'cache-control': 'public, max-age=300' });
  });
  registerAuth(web, services);
  registerDashboard(web, services, adapters);
  registerSystems(web, services, adapters);
  registerConfigs(web, services, adapters);
  registerPolicies(web, services, adapters);
  registerRuns(web, services, adapters);
  registerReview(web, services, adapters);
  registerDisputes(web, services, adapters);
  registerTokens(web, services);
  registerIdm(web, services, adapters);
  web.onError((error, c) => {
    services.log.error({ err: error, path: c.req.path }, 'console page failed');
    return render(
      c,
      ErrorPage({
        title: 'Something went wrong',
        message: 'The page could not be shown; the server log has the details.',
        signedIn: true,
      }),
      500,
    );
  });
  return web;
}
