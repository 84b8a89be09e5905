import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ReconConfigResponse } from '../../server/http/routes/recon-configs/config-response.ts';
import type { SystemResponse } from '../../server/http/routes/systems/system-schema.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.ts';
import { artifactsDir, checkPage, goTo, pictureIfFailed, waitForRunEnd } from './browser.ts';
import { openConsole } from './console-session.ts';

/** Where this test's pictures are also kept for a person to look at (issue 17's closing note). */
const shotsDir = process.env.TRUEUP_SHOTS_DIR;

/**
 * Issue 17's first done-when, in Chromium against the real app: a bad run disables people (its
 * source file came truncated); from the dashboard an admin finds a disabled user, sees the run that
 * disabled them and the account as last read, enables them again, and sees the act in their history.
 * Every page on the way, the new ones included, passes axe.
 */
describe('after a bad run, finding and re-enabling a disabled user from the console', {
  timeout: 300_000,
}, () => {
  let db: TestDatabase;
  let api: TestApi;
  let base: string;
  let closeConsole: (() => Promise<void>) | undefined;
  let page: Page;
  let file: string;
  let system: SystemResponse;
  let config: ReconConfigResponse;

  const go = (url: string) => goTo(page, base, url);
  const shot = async (name: string) => {
    await checkPage(page, name);
    if (shotsDir) {
      mkdirSync(shotsDir, { recursive: true });
      copyFileSync(path.join(artifactsDir, `${name}.png`), path.join(shotsDir, `${name}.png`));
    }
  };

  beforeAll(async () => {
    db = await createTestDatabase('pglite');
    api = await createTestApi(db);
    file = path.join(mkdtempSync(path.join(tmpdir(), 'trueup-idm-')), 'hr.csv');
    writeFileSync(
      file,
      'employeeNumber,name,title\nE1,Ada Lovelace,Analyst\nE2,Alan Turing,Cryptographer\nE3,Grace Hopper,Admiral\n',
    );
    system = await api.json<SystemResponse>('POST', '/api/systems', {
      name: 'HR',
      type: 'csv',
      trusted: true,
      uniqueFieldKey: 'employeeNumber',
      connection: { path: file },
    });
    config = await api.json<ReconConfigResponse>('POST', `/api/systems/${system.id}/recon-configs`, {
      name: 'HR users',
      objectType: 'User',
      sourceAttributeName: 'employeeNumber',
      idmField: 'employeeId',
      situations: {
        IDM_NOT_EXISTS__RESOURCE_EXISTS: { response: 'ADD_TO_IDM' },
        IDM_EXISTS__RESOURCE_NOT_EXISTS: { response: 'DISABLE_IN_IDM' },
      },
    });
    expect((await api.runToEnd(config.id)).status).toBe('succeeded');
    ({ base, page, close: closeConsole } = await openConsole(api));
  });

  afterEach((context) => pictureIfFailed(page, context.task));

  afterAll(async () => {
    await closeConsole?.();
  });

  it('walks from a bad run to the disabled user, enables them, and shows the act in their history', async () => {
    // The bad run: HR's export came truncated, so Grace is missing and gets disabled.
    writeFileSync(file, 'employeeNumber,name,title\nE1,Ada Lovelace,Analyst\nE2,Alan Turing,Cryptographer\n');
    await go(`/configs/${config.id}`);
    await page.getByRole('button', { name: 'Run now' }).click();
    await page.waitForURL(/\/runs\/[^/]+$/);
    await waitForRunEnd(page);
    const runUrl = page.url();

    await go('/');
    await shot('dashboard');
    await page.getByRole('link', { name: '1 disabled user' }).click();
    await page.waitForURL(/\/idm\/users\?status=disabled/);
    expect(await page.locator('tbody th').allTextContents()).toEqual(['Grace Hopper']);
    await shot('idm-users-disabled');

    await page.getByRole('link', { name: 'Grace Hopper' }).click();
    await page.waitForURL(/\/idm\/users\/[^/?]+$/);
    const history = page.locator('table', { has: page.locator('caption', { hasText: 'History' }) });
    // The run that disabled her, linked, newest first.
    expect(await history.locator('tbody tr').first().textContent()).toContain('Disable in the IDM');
    expect(
      await history
        .locator('tbody tr')
        .first()
        .getByRole('link', { name: /run of HR users/ })
        .getAttribute('href'),
    ).toBe(new URL(runUrl).pathname);
    // The bad run did not read her account: the page says so rather than show an old read.
    expect(await page.getByText('The last full run of HR did not read this account.').count()).toBe(1);
    await shot('idm-user-disabled');

    await page.getByRole('button', { name: 'Enable Grace Hopper' }).click();
    await expect.poll(() => page.getByText('Grace Hopper is active now.').count()).toBe(1);
    const first = history.locator('tbody tr').first();
    expect(await first.textContent()).toContain('Enabled by hand');
    expect(await first.textContent()).toContain('by test-admin');
    expect(await page.getByRole('button', { name: 'Disable Grace Hopper' }).count()).toBe(1);
    await shot('idm-user-enabled');

    const [grace] = (await api.json<{ items: Array<{ status: string }> }>('GET', '/api/idm/users?q=grace'))
      .items;
    expect(grace?.status).toBe('active');
  });

  it("lists a system's accounts as last read, with their link state, searchable", async () => {
    await go('/');
    await page.getByRole('link', { name: 'Accounts on HR' }).click();
    await page.waitForURL(/\/systems\/[^/]+\/accounts$/);
    expect(await page.locator('tbody th').allTextContents()).toEqual(['E1', 'E2']);
    await page.getByLabel('Key starts with, or attribute text').fill('crypto');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/q=crypto/);
    expect(await page.locator('tbody th').allTextContents()).toEqual(['E2']);
    expect(await page.locator('tbody td').nth(1).textContent()).toBe('linked');
    await shot('system-accounts');
  });

  it('links and unlinks by hand, and shows the other object types', async () => {
    await go('/idm/users?q=ada');
    await page.getByRole('link', { name: 'Ada Lovelace' }).click();
    await page.getByRole('button', { name: 'Unlink E1' }).click();
    await expect.poll(() => page.getByText('Unlinked the account E1.').count()).toBe(1);
    await page.getByLabel('Account key').fill('E1');
    await page.getByRole('button', { name: 'Link account' }).click();
    await expect.poll(() => page.getByText('Linked the account E1.').count()).toBe(1);
    const history = page.locator('table', { has: page.locator('caption', { hasText: 'History' }) });
    expect(
      (await history.locator('tbody tr').allTextContents()).slice(0, 2).map((t) => t.replace(/\s+/g, ' ')),
    ).toEqual([
      expect.stringContaining('Linked by hand E1 on HR'),
      expect.stringContaining('Unlinked by hand E1 on HR'),
    ]);
    expect(await page.getByLabel('Attributes of E1').textContent()).toContain('Analyst');
    await shot('idm-user-links');
    for (const section of ['groups', 'roles', 'organizations']) {
      await go(`/idm/${section}`);
      expect(await page.getByText(`No ${section.slice(0, -1)} matches.`).count()).toBe(1);
    }
    await shot('idm-organizations');
    await go('/runs');
    expect(await page.locator('thead th').allTextContents()).toContain('Started by');
    await shot('runs-started-by');
  });

  it('uploads a CSV file on the system page, and keeps the connection test with its time', async () => {
    const upload = path.join(path.dirname(file), 'upload.csv');
    writeFileSync(
      upload,
      'employeeNumber,name,title\nE1,Ada Lovelace,Analyst\nE4,Edsger Dijkstra,Professor\n',
    );
    await go(`/systems/${system.id}`);
    expect(await page.getByText('Not tested yet.').count()).toBe(1);
    await page.getByLabel('CSV file').setInputFiles(upload);
    await page.getByRole('button', { name: 'Upload' }).click();
    await expect.poll(() => page.getByText('Stored the file: the next run reads it.').count()).toBe(1);
    const stored = await api.json<SystemResponse>('GET', `/api/systems/${system.id}`);
    expect(stored.connection.path).toMatch(/uploads/);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => page.getByText('Connection ok').count()).toBeGreaterThan(0);
    // Read back from the database, not from this page's answer: a fresh GET shows it with its time.
    await go(`/systems/${system.id}`);
    expect(await page.locator('#test-h + p').textContent()).toMatch(
      /Connection ok.*\(tested \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)/s,
    );
    expect((await api.json<SystemResponse>('GET', `/api/systems/${system.id}`)).lastTest).toMatchObject({
      ok: true,
    });
    await shot('system-csv-upload');
  });
});
