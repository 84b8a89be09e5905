import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.ts';

/**
 * /docs in a real headless Chromium: the reference renders the routes from /openapi.json and
 * every request the page makes goes to the trueup server itself (identity servers often run
 * without internet, so a CDN asset would leave a blank page).
 */
let db: TestDatabase;
let api: TestApi;
let server: ReturnType<typeof serve>;
let origin: string;
let browser: BrowserContext;
let profile: string;

beforeAll(async () => {
  db = await createTestDatabase('pglite');
  api = await createTestApi(db);
  server = await new Promise((resolve) => {
    const started = serve({ fetch: api.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  profile = mkdtempSync(path.join(tmpdir(), 'trueup-chromium-'));
  // A fresh profile: nothing cached from another run can stand in for a request.
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  await db?.close();
  rmSync(profile, { recursive: true, force: true });
});

it('renders every route name with no request outside the trueup server', async () => {
  const page = await browser.newPage();
  const requests: string[] = [];
  const failed: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('requestfailed', (request) => failed.push(`${request.url()}: ${request.failure()?.errorText}`));
  const response = await page.goto(`${origin}/docs`, { waitUntil: 'load' });
  expect(response?.status()).toBe(200);
  await page.getByText('/api/recon-configs/{id}/runs').first().waitFor({ timeout: 20_000 });
  const shown = await page.locator('.opblock-summary-path').allInnerTexts();
  const paths = shown.map((text) => text.replace(/\u200b/g, '').trim());
  expect(paths).toEqual(
    expect.arrayContaining([
      '/api/systems',
      '/api/runs/{id}/events.csv',
      '/api/recon-configs/{id}/runs',
      '/health',
    ]),
  );
  expect(await page.getByText('Start a run of a reconciliation config').count()).toBeGreaterThan(0);
  expect(requests.length).toBeGreaterThanOrEqual(4);
  expect(requests.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith('data:'))).toEqual([]);
  expect(requests).toContain(`${origin}/openapi.json`);
  expect(failed).toEqual([]);
  await page.close();
});
