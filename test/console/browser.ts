import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';

/**
 * Real headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core, with a fresh
 * profile per test file. CSP is bypassed only so axe-core can be injected into the page.
 */
export const artifactsDir = path.resolve(import.meta.dirname, '../artifacts');

const flags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export type Browser = { context: BrowserContext; page: Page; close(): Promise<void> };

export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(path.join(tmpdir(), 'trueup-chromium-'));
  // playwright passes the profile as --user-data-dir itself.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: flags,
    bypassCSP: true,
    acceptDownloads: true,
    viewport: { width: 1366, height: 850 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

const axeSource = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

type AxeViolation = { id: string; impact: string | null; help: string; nodes: Array<{ target: string[] }> };

/** Runs axe-core on the page; fails on any serious or critical violation, naming each. */
export async function expectAccessible(page: Page) {
  // Evaluated in the page (as text: the test's TypeScript has no DOM types).
  if (!(await page.evaluate<boolean>("'axe' in window"))) await page.addScriptTag({ path: axeSource });
  const violations = await page.evaluate<AxeViolation[]>('axe.run().then((result) => result.violations)');
  const bad = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(bad, `axe on ${page.url()}`).toEqual([]);
}

/** Checks a main page with axe and keeps a full-page screenshot of it under test/artifacts/. */
export async function checkPage(page: Page, name: string) {
  await expectAccessible(page);
  mkdirSync(artifactsDir, { recursive: true });
  // The viewport grows to the page's height for the picture: a `fullPage` screenshot leaves this
  // Chromium clicking at stale coordinates on long pages afterwards.
  const viewport = page.viewportSize() ?? { width: 1366, height: 850 };
  const height = await page.evaluate<number>('document.documentElement.scrollHeight');
  await page.setViewportSize({ width: viewport.width, height: Math.max(viewport.height, height) });
  await page.screenshot({ path: path.join(artifactsDir, `${name}.png`) });
  await page.setViewportSize(viewport);
}

/** Opens a console page and expects it to load (no 4xx or 5xx). */
export async function goTo(page: Page, base: string, url: string) {
  const response = await page.goto(`${base}${url}`);
  expect(response?.status(), url).toBeLessThan(400);
}

/** Signs in on the console's sign-in page with an API token. */
export async function signInWith(page: Page, base: string, token: string) {
  await page.goto(`${base}/signin`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/`);
}

/**
 * Waits on a run page until the run has finished: the page's live progress view polls the
 * server and reloads itself when the run ends, so the test only watches.
 */
export async function waitForRunEnd(page: Page) {
  for (let i = 0; i < 1200; i++) {
    try {
      await page.waitForLoadState('load');
      if ((await page.locator('[data-progress-url]').count()) === 0) return;
    } catch {
      // the page reloaded itself while we looked
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the run did not finish');
}

/** A failing step leaves a picture of the page it failed on (an `afterEach`). */
export async function pictureIfFailed(
  page: Page | undefined,
  task: { name: string; result?: { state?: string } | undefined },
) {
  if (task.result?.state !== 'fail' || !page) return;
  const name = task.name.slice(0, 40).replace(/\W+/g, '-');
  await page.screenshot({ path: path.join(artifactsDir, `failed-${name}.png`), fullPage: true });
}
