import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import { displayPrefix, generateToken, hashToken } from '../../server/auth/tokens.ts';
import { loadConfig } from '../../server/config.ts';
import type { TokenRole } from '../../server/core/model.ts';
import { apiTokens } from '../../server/db/schema/index.ts';
import { createApp } from '../../server/http/app.ts';
import type { GetRunResponse } from '../../server/http/routes/runs/get-run.ts';
import type { StartRunResponse } from '../../server/http/routes/runs/start-run.ts';
import { createLogger, type Logger } from '../../server/log.ts';
import { buildServices } from '../../server/main.ts';
import type { Services } from '../../server/services/index.ts';
import type { TestDatabase } from './databases.ts';
import { tempDataDir } from './server.ts';

export type TestApi = {
  services: Services;
  app: ReturnType<typeof createApp>;
  tokens: Record<TokenRole, string>;
  /** An in-process request (`app.request`) as `role` (default admin); `role: null` sends no token. */
  request(
    method: string,
    path: string,
    options?: { body?: unknown; role?: TokenRole | null; headers?: Record<string, string> },
  ): Promise<Response>;
  /** A request as admin that must succeed (2xx, else the test fails showing the body); its JSON. */
  json<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** Starts a run of the config as an API client would, and polls GET /api/runs/:id until it ends. */
  runToEnd(configId: string, body?: unknown): Promise<GetRunResponse>;
};

/** The real app around a test database, with one token of each role (named test-<role>). */
export async function createTestApi(
  db: TestDatabase,
  env: Record<string, string> = {},
  /** Where the server logs (silent by default); tests that inspect logs pass their own. */
  log: Logger = createLogger('silent'),
): Promise<TestApi> {
  const config = loadConfig({ DATA_DIR: tempDataDir(), SECRET_KEY: randomBytes(32).toString('hex'), ...env });
  const services = buildServices(config, db, log);
  const app = createApp(services);
  const tokens = {} as Record<TokenRole, string>;
  for (const role of ['admin', 'operator', 'viewer'] as const) {
    const token = generateToken();
    await db.orm
      .insert(apiTokens)
      .values({ name: `test-${role}`, role, tokenHash: hashToken(token), prefix: displayPrefix(token) });
    tokens[role] = token;
  }
  const request: TestApi['request'] = (method, path, options = {}) => {
    const role = options.role === undefined ? 'admin' : options.role;
    const headers: Record<string, string> = { ...options.headers };
    if (role) headers.authorization = `Bearer ${tokens[role]}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    }
    return Promise.resolve(app.request(path, { method, headers, body }));
  };
  const json = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await request(method, path, { body });
    expect(response.status, `${method} ${path}: ${await response.clone().text()}`).toBeLessThan(300);
    return (await response.json()) as T;
  };
  return {
    services,
    app,
    tokens,
    request,
    json,
    async runToEnd(configId, body = {}) {
      const { runId } = await json<StartRunResponse>('POST', `/api/recon-configs/${configId}/runs`, body);
      for (;;) {
        const summary = await json<GetRunResponse>('GET', `/api/runs/${runId}`);
        if (summary.status !== 'queued' && summary.status !== 'running') return summary;
        await sleep(50);
      }
    },
  };
}
