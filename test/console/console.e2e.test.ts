import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { parse } from 'csv-parse/sync';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { displayPrefix, generateToken, hashToken } from '../../server/auth/tokens.ts';
import { apiTokens } from '../../server/db/schema/index.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.ts';
import {
  type Browser,
  checkPage,
  goTo,
  launchBrowser,
  pictureIfFailed,
  signInWith,
  waitForRunEnd,
} from './browser.ts';

/**
 * The integrator loop of issue 12, in a real browser against the real app: sign in, create a CSV
 * system and a config through the forms, write a policy (first with an error), dry-run, apply the
 * plan, read and download the history, resolve a dispute, and look at it all as a viewer.
 */
const hrCsv = [
  'employeeNumber,name,email',
  'E1,Ada Lovelace,ada@example.com',
  'E2,Alan Turing,alan@example.com',
  'E3,Grace Hopper,shared@example.com',
  'E4,Edsger Dijkstra,shared@example.com',
].join('\n');

const brokenPolicy = `import { definePopulation } from 'trueup:policy';

export default definePopulation(({ account }) => {
  const name: number = account.key;
  return { employeeId: account.key, name };
});
`;

const fixedPolicy = `import { definePopulation } from 'trueup:policy';

export default definePopulation(({ account }) => {
  if (!account.attributes.name) throw new Error(\`the HR export has no name for \${account.key}\`);
  return { employeeId: account.key, name: account.attributes.name, email: account.attributes.email ?? null };
});
`;

describe('the web console in Chromium', { timeout: 120_000 }, () => {
  let db: TestDatabase;
  let api: TestApi;
  let server: ReturnType<typeof serve>;
  let base: string;
  let browser: Browser;
  let page: Page;
  let operatorToken: string;
  let dir: string;

  const go = (url: string) => goTo(page, base, url);
  const signIn = (token: string) => signInWith(page, base, token);
  const waitForRunPage = () => waitForRunEnd(page);

  const runStatus = () => page.locator('dl.facts dd .badge').first().textContent();

  beforeAll(async () => {
    db = await createTestDatabase('pglite');
    api = await createTestApi(db);
    operatorToken = generateToken();
    await db.orm.insert(apiTokens).values({
      name: 'test-operator',
      role: 'operator',
      tokenHash: hashToken(operatorToken),
      prefix: displayPrefix(operatorToken),
    });
    dir = mkdtempSync(path.join(tmpdir(), 'trueup-console-'));
    writeFileSync(path.join(dir, 'hr.csv'), `${hrCsv}\n`);
    writeFileSync(path.join(dir, 'app.csv'), 'login,email\nu1,shared@example.com\n');
    server = serve({ fetch: api.app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
    page = browser.page;
    // A missing control fails within seconds, naming itself, rather than at the test timeout.
    page.setDefaultTimeout(10_000);
    page.on('dialog', (dialog) => void dialog.accept());
  });

  // A failing step leaves a picture of the page it failed on.
  afterEach((context) => pictureIfFailed(page, context.task));

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    await api?.services.close();
  });

  it('sends a stranger to sign in, refuses a wrong token and signs in with a real one', async () => {
    await page.goto(`${base}/systems`);
    expect(new URL(page.url()).pathname).toBe('/signin');
    await checkPage(page, 'signin');
    await page.getByLabel('API token').fill('tu_not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByText('That token is unknown or revoked.').count()).toBe(1);
    await signIn(api.tokens.admin);
    const cookie = (await browser.context.cookies()).find((c) => c.name === 'trueup_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(cookie?.value).not.toContain(api.tokens.admin);
  });

  it('creates a CSV system through its generated form and tests its connection inline', async () => {
    await go('/systems/new?type=csv');
    await page.getByLabel('Name', { exact: true }).fill('HR export');
    await page.getByLabel('Unique field key').fill('employeeNumber');
    await page.getByLabel('Trusted system (may create and update IDM users)').check();
    await page.getByLabel('Path').fill(path.join(dir, 'hr.csv'));
    await checkPage(page, 'system-new');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByText('Saved.').count()).toBe(1);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => page.getByText('Connection ok').count()).toBe(1);
    await checkPage(page, 'system');
  });

  it('saves a policy with an error, shows it by line, then saves the fix and runs it on samples', async () => {
    await go('/policies');
    await page.getByLabel('New policy path').fill('hr/population.ts');
    await page.getByRole('button', { name: 'Write a new policy' }).click();
    await page.getByLabel('Source').fill(brokenPolicy);
    await page.getByRole('button', { name: 'Save' }).click();
    const diagnostics = page.locator('ol.diagnostics li');
    await expect.poll(() => diagnostics.count()).toBeGreaterThan(0);
    expect(await diagnostics.first().textContent()).toMatch(/^Line 4, column \d+/);
    expect(await page.locator('.editor .gutter .bad').allTextContents()).toEqual(['4\n']);
    await checkPage(page, 'policy-error');

    await page.getByLabel('Source').fill(fixedPolicy);
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByText('Saved and compiled.').count()).toBe(1);
    await page
      .getByLabel('Sample input (JSON)')
      .fill('{"account": {"key": "E1", "attributes": {"name": "Ada", "email": "ada@example.com"}}}');
    await page.getByRole('button', { name: 'Run on a sample' }).click();
    const output = await page.locator('.notice-ok pre').textContent();
    expect(JSON.parse(output ?? '')).toEqual({ employeeId: 'E1', name: 'Ada', email: 'ada@example.com' });
    await page.getByLabel('Sample input (JSON)').fill('{"account": {"key": "E9", "attributes": {}}}');
    await page.getByRole('button', { name: 'Run on a sample' }).click();
    expect(await page.locator('.notice-bad').textContent()).toMatch(/at line 4, column \d+.*no name for E9/);
    await checkPage(page, 'policy-sample');
    await go('/policies');
    await checkPage(page, 'policies');
  });

  it('creates a config with its situation table and schedule, dry-runs it, applies the plan and opens an event', async () => {
    await go('/systems');
    await page.getByRole('link', { name: 'HR export' }).click();
    await page.getByRole('link', { name: 'New reconciliation config' }).click();
    await page.getByLabel('Name', { exact: true }).fill('HR users');
    await page.getByLabel('Frequency').selectOption('nightly');
    await page.getByLabel('Time zone').selectOption('Europe/Paris');
    await page.getByLabel('Notification email').fill('iam-team@example.com');
    await page.getByLabel('Source attribute name').fill('employeeNumber');
    await page.getByLabel('IDM repository field').selectOption('employeeId');
    await page.getByLabel('Response to IDM_NOT_EXISTS__RESOURCE_EXISTS').selectOption('ADD_TO_IDM');
    await page
      .getByLabel('Population policy for IDM_NOT_EXISTS__RESOURCE_EXISTS')
      .selectOption('hr/population.ts');
    await page.getByLabel('Response to IDM_EXISTS__RESOURCE_EXISTS').selectOption('UPDATE_IDM_FROM_RESOURCE');
    await page
      .getByLabel('Population policy for IDM_EXISTS__RESOURCE_EXISTS')
      .selectOption('hr/population.ts');
    await page.getByLabel('Attribute 1', { exact: true }).fill('name');
    await page.getByLabel('Attribute 2', { exact: true }).fill('email');
    await page.getByLabel('Deletion threshold (count)').fill('10');
    await checkPage(page, 'config-new');
    await page.getByRole('button', { name: 'Save and dry run' }).click();
    await page.waitForURL(/\/runs\/[^/]+$/, { timeout: 60_000 });
    await waitForRunPage();
    expect(await runStatus()).toBe('succeeded');
    expect(await page.locator('.counts li', { hasText: 'ADD_TO_IDM' }).locator('.n').textContent()).toBe('4');
    await checkPage(page, 'run-dry');

    await page.getByRole('link', { name: 'Review this plan' }).click();
    expect(await page.locator('table tbody tr').count()).toBe(4);
    await checkPage(page, 'review-plan');
    await page.getByRole('button', { name: 'Apply this plan' }).click();
    await page.waitForURL(/\/runs\/[^/]+$/, { timeout: 60_000 });
    await waitForRunPage();
    expect(await runStatus()).toBe('succeeded');
    expect(await page.locator('dl.facts').textContent()).toContain('apply');
    // The completion mail goes to the config's address; the report opens in the browser.
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.locator('table', { hasText: 'iam-team@example.com' }).count();
        },
        { timeout: 30_000 },
      )
      .toBe(1);
    const reportUrl = await page.getByRole('link', { name: 'Report' }).getAttribute('href');
    const report = await page.request.get(`${base}${reportUrl}`);
    expect(report.status()).toBe(200);
    expect(report.headers()['content-type']).toMatch(/^text\/html/);
    expect(await report.text()).toContain('HR users');
    await page.getByRole('link', { name: 'Review what this applied run skipped' }).click();
    expect(await page.getByText('None: every planned object was still as planned.').count()).toBe(1);
    await page.goBack();

    await page.getByRole('link', { name: 'E1', exact: true }).click();
    expect(await page.locator('h1').textContent()).toBe('E1');
    const diff = page.locator('table tbody tr', { hasText: 'name' }).first();
    expect(await diff.locator('.diff-after').textContent()).toBe('Ada Lovelace');
    await checkPage(page, 'event');
  });

  it('shows the schedule with its next three runs, and the history filtered by config and status', async () => {
    await go('/runs');
    await checkPage(page, 'runs');
    // Keyboard first: Tab reaches the skip link, Enter moves to the content, Tab goes on to the filters.
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement.textContent')).toBe('Skip to content');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement.id')).toBe('f-configId');
    await page.getByLabel('Status').selectOption('succeeded');
    await page.getByRole('button', { name: 'Filter' }).click();
    expect(await page.locator('table tbody tr').count()).toBe(2);
    await page.locator('table tbody tr').first().getByRole('link', { name: 'HR users' }).click();
    const next = page.locator('ol[aria-labelledby="next-runs"] li');
    expect(await next.count()).toBe(3);
    // Nightly is 02:00 in Europe/Paris: 01:00 UTC in winter.
    expect(await next.first().textContent()).toMatch(/ 01:00:00 UTC$/);
    await checkPage(page, 'config');
  });

  it('downloads the events of the applied run as CSV, one row per object', async () => {
    await go('/runs?status=succeeded');
    await page.locator('table tbody tr').first().locator('th a').click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download CSV' }).click(),
    ]);
    const rows = parse(readFileSync(await download.path(), 'utf8'), { columns: true, bom: true }) as Array<
      Record<string, string>
    >;
    expect(rows.map((r) => [r['object key'], r.response, r.outcome])).toEqual([
      ['E1', 'ADD_TO_IDM', 'applied'],
      ['E2', 'ADD_TO_IDM', 'applied'],
      ['E3', 'ADD_TO_IDM', 'applied'],
      ['E4', 'ADD_TO_IDM', 'applied'],
    ]);
  });

  it('resolves a disputed account by linking it to one of its candidates', async () => {
    await go('/systems/new?type=csv');
    await page.getByLabel('Name', { exact: true }).fill('Expense app');
    await page.getByLabel('Unique field key').fill('login');
    await page.getByLabel('Path').fill(path.join(dir, 'app.csv'));
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('link', { name: 'New reconciliation config' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Expense accounts');
    await page.getByLabel('Source attribute name').fill('email');
    await page.getByLabel('IDM repository field').selectOption('email');
    await page.getByRole('button', { name: 'Save and reconcile' }).click();
    await page.waitForURL(/\/runs\/[^/]+$/, { timeout: 60_000 });
    await waitForRunPage();
    expect(await page.locator('.counts li', { hasText: 'DISPUTED' }).locator('.n').textContent()).toBe('1');

    await go('/');
    await checkPage(page, 'dashboard');
    await page.getByRole('link', { name: '1 open dispute' }).click();
    await page.getByRole('link', { name: 'u1' }).click();
    expect(await page.locator('article.candidate').count()).toBe(2);
    await checkPage(page, 'dispute');
    // Candidates by name with their key attributes (both share the email the recon key compares).
    const chosen = ((await page.locator('article.candidate h3 a').first().textContent()) ?? '').trim();
    expect(['Grace Hopper', 'Edsger Dijkstra']).toContain(chosen);
    expect(await page.getByRole('definition').filter({ hasText: 'shared@example.com' }).count()).toBe(3);
    await page.getByRole('button', { name: `Link to ${chosen}` }).click();
    await expect.poll(() => page.locator('main .badge', { hasText: 'resolved' }).count()).toBe(1);
    expect(await page.getByRole('status').textContent()).toContain(`Linked to ${chosen} (no score`);
    expect(await page.getByRole('status').textContent()).toContain('by test-admin');
    await go('/disputes?status=resolved');
    expect(
      await page.getByRole('cell', { name: new RegExp(`linked to ${chosen} by test-admin`) }).count(),
    ).toBe(1);
    await checkPage(page, 'disputes');
  });

  it("edits a Group config's entitlement attribute: a problem is shown on the field, then it saves", async () => {
    await go('/systems');
    await page.getByRole('link', { name: 'HR export' }).click();
    await page.getByRole('link', { name: 'New reconciliation config' }).click();
    await page.getByLabel('Name', { exact: true }).fill('HR groups');
    await page.getByLabel('Object type').selectOption('Group');
    await page.getByLabel('Policy map (attributes to request)').fill('name');
    const field = page.getByLabel('Entitlement attribute (memberships)');
    await field.fill('member');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => field.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('.field.has-error').textContent()).toContain('"member" is not in policyMap');
    await checkPage(page, 'config-group-error');
    await page.getByLabel('Policy map (attributes to request)').fill('name\nmember');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page.getByText('Saved.').count()).toBe(1);
    expect(await field.inputValue()).toBe('member');
    expect(await page.getByLabel('Object type').inputValue()).toBe('Group');
    // The default zone is one the form offers, so saving a new config keeps it.
    expect(await page.getByLabel('Time zone').inputValue()).toBe('UTC');
  });

  it('lets an operator run and apply a dry-run plan but not edit or apply a held plan; a viewer sees no write buttons and a forged POST is refused', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/signin/);
    await signIn(operatorToken);
    await go('/systems');
    expect(await page.getByRole('link', { name: 'Add a managed system' }).count()).toBe(0);
    await page.getByRole('link', { name: 'HR export' }).click();
    expect(await page.getByRole('button', { name: 'Test connection' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Save' }).count()).toBe(0);

    // An operator runs a dry run and applies its plan…
    await page.getByRole('link', { name: 'HR users' }).first().click();
    expect(await page.getByRole('button', { name: 'Save and dry run' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Dry run' }).click();
    await page.waitForURL(/\/runs\/[^/]+$/, { timeout: 60_000 });
    await waitForRunPage();
    await page.getByRole('link', { name: 'Review this plan' }).click();
    await page.getByRole('button', { name: 'Apply this plan' }).click();
    await page.waitForURL(/\/runs\/[^/]+$/, { timeout: 60_000 });
    await waitForRunPage();
    expect(await runStatus()).toBe('succeeded');

    // …but a plan the source guard held (the export came back empty) waits for an admin.
    writeFileSync(path.join(dir, 'app.csv'), 'login,email\n');
    await go('/systems');
    await page.getByRole('link', { name: 'Expense app' }).click();
    await page.getByRole('link', { name: 'Expense accounts' }).click();
    await page.getByRole('button', { name: 'Run now' }).click();
    await page.waitForURL(/\/runs\/[^/]+$/, { timeout: 60_000 });
    await waitForRunPage();
    expect(await runStatus()).toBe('stopped by guard');
    await page.getByRole('link', { name: 'Review this plan' }).click();
    expect(await page.getByRole('button', { name: 'Apply this plan' }).count()).toBe(0);
    expect(await page.getByText('Only an admin may apply a held plan.').count()).toBe(1);
    await checkPage(page, 'review-held');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(api.tokens.viewer);
    const writeButtons = async () =>
      page
        .locator(
          'form[method="post"]:not([action="/signout"]) button, form[method="post"]:not([action="/signout"]) input[type="submit"]',
        )
        .count();
    const pages = ['/', '/systems', '/policies', '/runs', '/disputes?status=resolved'];
    for (const url of pages) {
      await go(url);
      expect(await writeButtons(), url).toBe(0);
    }
    for (const link of ['HR export']) {
      await go('/systems');
      await page.getByRole('link', { name: link }).click();
      expect(await writeButtons(), page.url()).toBe(0);
      await page.locator('a[href^="/configs/"]').first().click();
      expect(await writeButtons(), page.url()).toBe(0);
      expect(await page.getByRole('button', { name: 'Save and reconcile' }).count()).toBe(0);
    }
    await go('/runs?status=succeeded');
    await page.locator('table tbody tr').last().locator('th a').click();
    await page.getByRole('link', { name: 'Review this plan' }).click();
    expect(await writeButtons()).toBe(0);
    await go('/policies/edit?path=hr%2Fpopulation.ts');
    expect(await writeButtons()).toBe(0);
    await checkPage(page, 'viewer-policy');

    // A viewer's session with a valid CSRF token still may not write.
    const forged = await page.evaluate<number>(`(async () => {
      const csrf = document.querySelector('input[name="_csrf"]').value;
      const body = new URLSearchParams({ _csrf: csrf, name: 'Forged', type: 'csv', uniqueFieldKey: 'k', 'connection.path': '/tmp/x.csv' });
      return (await fetch('/systems', { method: 'POST', body, redirect: 'manual' })).status;
    })()`);
    expect(forged).toBe(403);
    // …and a form without the session's CSRF token is refused for anyone.
    const noCsrf = await page.evaluate(
      async () => (await fetch('/signout', { method: 'POST', body: new URLSearchParams({}) })).status,
    );
    expect(noCsrf).toBe(403);
    await go('/systems');
    expect(await page.getByRole('link', { name: 'Forged' }).count()).toBe(0);
  });
});
