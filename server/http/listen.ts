import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { bootstrapAdminToken } from '../auth/issue-token.ts';
import type { Services } from '../services/index.ts';
import { createApp } from './app.ts';

export type Listening = { port: number; stop(): Promise<void> };

/**
 * Serves the API and returns how to stop it gracefully: refuse new connections, let in-flight
 * requests finish (up to SHUTDOWN_TIMEOUT_MS), then cut what is left. On a database without any
 * API token, first writes a new admin token to DATA_DIR/admin.token.
 */
export async function listen(services: Services): Promise<Listening> {
  await bootstrapAdminToken(services.db, services.config.dataDir, services.log);
  const app = createApp(services);
  const { port, host } = services.config;
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const started = serve({ fetch: app.fetch, port, hostname: host }, () => resolve(started));
    started.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  return {
    port: address.port,
    stop: () =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          if ('closeAllConnections' in server) server.closeAllConnections();
        }, services.config.shutdownTimeoutMs);
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        if ('closeIdleConnections' in server) server.closeIdleConnections();
      }),
  };
}
