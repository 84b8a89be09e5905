import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Page } from 'playwright-core';
import type { TestApi } from '../helpers/api.ts';
import { launchBrowser, signInWith } from './browser.ts';

export type ConsoleSession = { base: string; page: Page; close(): Promise<void> };

/**
 * What a console e2e file starts with: the real app of `api` on a loopback port, a fresh Chromium
 * on it signed in as admin. `close()` ends the browser, the server and the services.
 */
export async function openConsole(
  api: TestApi,
  options: { timeoutMs?: number; acceptDialogs?: boolean } = {},
): Promise<ConsoleSession> {
  const server = serve({ fetch: api.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await launchBrowser();
  const page = browser.page;
  // A missing control fails within seconds, naming itself, rather than at the test timeout.
  page.setDefaultTimeout(options.timeoutMs ?? 15_000);
  if (options.acceptDialogs ?? true) page.on('dialog', (dialog) => void dialog.accept());
  await signInWith(page, base, api.tokens.admin);
  return {
    base,
    page,
    async close() {
      await browser.close();
      await new Promise((resolve) => server.close(resolve));
      await api.services.close();
    },
  };
}
