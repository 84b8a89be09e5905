import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ReconConfigResponse } from '../../server/http/routes/recon-configs/config-response.ts';
import type { GetRunResponse } from '../../server/http/routes/runs/get-run.ts';
import type { SystemResponse } from '../../server/http/routes/systems/system-schema.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.ts';
import { checkPage, goTo, pictureIfFailed, waitForRunEnd } from './browser.ts';
import { openConsole } from './console-session.ts';

/**
 * Issue 17, operating trueup day to day, in Chromium against the real app: the policy editor runs
 * its unsaved text on a sample and shows the log lines with their lines, then saves keeping the
 * cursor; an admin creates and revokes a token; an operator cancels a 100k run while it applies.
 */
const population = (marker: string) => `import { definePopulation, log } from 'trueup:policy';

export default definePopulation(({ account }) => {
  log.info(\`${marker} \${account.key}\`);
  return { employeeId: account.key, name: account.attributes.name ?? account.key };
});
`;

describe('operating trueup from the console', { timeout: 300_000 }, () => {
  let db: TestDatabase;
  let api: TestApi;
  let base: string;
  let closeConsole: (() => Promise<void>) | undefined;
  let page: Page;
  let dir: string;

  const go = (url: string) => goTo(page, base, url);

  const json = async <T>(method: string, url: string, body?: unknown): Promise<T> => {
    const response = await api.request(method, url, { body });
    expect(response.status, `${method} ${url}`).toBeLessThan(300);
    return (await response.json()) as T;
  };

  /** A trusted CSV system whose config adds every row to the IDM through `policy`. */
  const csvConfig = async (name: string, rows: string[], policy: string) => {
    const file = path.join(dir, `${name}.csv`);
    writeFileSync(file, `employeeNumber,name\n${rows.join('\n')}\n`);
    const system = await json<SystemResponse>('POST', '/api/systems', {
      name,
      type: 'csv',
      trusted: true,
      uniqueFieldKey: 'employeeNumber',
      connection: { path: file },
    });
    return json<ReconConfigResponse>('POST', `/api/systems/${system.id}/recon-configs`, {
      name: `${name} users`,
      objectType: 'User',
      sourceAttributeName: 'employeeNumber',
      idmField: 'employeeId',
      situations: { IDM_NOT_EXISTS__RESOURCE_EXISTS: { response: 'ADD_TO_IDM', populationPolicy: policy } },
    });
  };

  const getRun = (id: string) => json<GetRunResponse>('GET', `/api/runs/${id}`);

  beforeAll(async () => {
    db = await createTestDatabase('pglite');
    api = await createTestApi(db);
    dir = mkdtempSync(path.join(tmpdir(), 'trueup-operate-'));
    ({ base, page, close: closeConsole } = await openConsole(api));
  });

  afterEach((context) => pictureIfFailed(page, context.task));

  afterAll(async () => {
    await closeConsole?.();
  });

  it('runs the unsaved text on a sample with its log lines, saves it keeping the cursor, and shows log lines on the event page', async () => {
    await json('POST', '/api/policies', { path: 'ops/population.ts', source: population('saved') });
    await go(`/policies/edit?path=${encodeURIComponent('ops/population.ts')}`);
    const source = page.getByLabel('Source');
    await source.fill(population('draft'));
    await page
      .getByLabel('Sample input (JSON)')
      .fill('{"account": {"key": "E7", "attributes": {"name": "Ada"}}}');
    await page.getByRole('button', { name: 'Run on a sample' }).click();
    // The text in the editor ran, not the saved version; its log line shows with its line.
    expect(JSON.parse((await page.locator('.notice-ok pre').textContent()) ?? '')).toEqual({
      employeeId: 'E7',
      name: 'Ada',
    });
    expect(await page.locator('ol.log-lines li').allTextContents()).toEqual([
      'info ops/population.ts line 4, column 7: draft E7',
    ]);
    expect(await source.inputValue()).toBe(population('draft'));
    const saved = await json<{ source: string }>('GET', '/api/policies/ops/population.ts');
    expect(saved.source).toBe(population('saved'));
    await checkPage(page, 'policy-sample-unsaved');

    // Save with the cursor inside the log line: the page comes back with the cursor there.
    const at = population('draft').indexOf('draft');
    await source.focus();
    await page.evaluate(`document.querySelector('#f-source').setSelectionRange(${at}, ${at + 5})`);
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByText('Saved and compiled.').count()).toBe(1);
    expect((await json<{ source: string }>('GET', '/api/policies/ops/population.ts')).source).toBe(
      population('draft'),
    );
    expect(
      await page.evaluate<[number, number, string]>(
        '[document.activeElement.selectionStart, document.activeElement.selectionEnd, document.activeElement.id]',
      ),
    ).toEqual([at, at + 5, 'f-source']);
    expect(await page.getByLabel('Sample input (JSON)').inputValue()).toContain('"E7"');

    // A long policy scrolled far down in its editor and on the page: saving keeps both scrolls.
    const long = `${population('draft')}${'// a long comment line\n'.repeat(300)}`;
    await source.fill(long);
    await page.evaluate(`(() => {
      const area = document.querySelector('#f-source');
      area.setSelectionRange(${long.length - 5}, ${long.length - 5});
      area.scrollTop = 2000;
      window.scrollTo(0, 120);
    })()`);
    const place = () =>
      page.evaluate<[number, number, number]>(
        "[document.querySelector('#f-source').scrollTop, window.scrollY, document.querySelector('#f-source').selectionStart]",
      );
    const before = await place();
    expect(before[0]).toBeGreaterThan(1000);
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByText('Saved and compiled.').count()).toBe(1);
    expect(await source.inputValue()).toBe(long);
    expect(await place()).toEqual(before);
    await checkPage(page, 'policy-saved-scrolled');
    await source.fill(population('draft'));
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByText('Saved and compiled.').count()).toBe(1);

    // A run of the saved policy: the event page shows the line it logged for that object.
    const config = await csvConfig('logbook', ['E1,Ann', 'E2,Bob'], 'ops/population.ts');
    const { runId } = await json<{ runId: string }>('POST', `/api/recon-configs/${config.id}/runs`, {});
    await api.services.runs.wait(runId);
    await go(`/runs/${runId}`);
    await page.getByRole('link', { name: 'E2', exact: true }).click();
    expect(await page.locator('ol.log-lines li').allTextContents()).toEqual([
      'info ops/population.ts line 4, column 7: draft E2',
    ]);
    await checkPage(page, 'event-log-lines');
  });

  it('creates a token, shows it once, and revokes it: the revoked token gets 401 at once', async () => {
    await go('/');
    await page.getByRole('link', { name: 'Tokens' }).click();
    await page.getByLabel('Name', { exact: true }).fill('ci-bot');
    await page.getByLabel('Role').selectOption('operator');
    await page.getByRole('button', { name: 'Create token' }).click();
    const secret = await page.getByLabel('Token for ci-bot').inputValue();
    expect(secret).toMatch(/^tu_[A-Za-z0-9_-]{43}$/);
    await checkPage(page, 'tokens-created');
    const asBot = () => fetch(`${base}/api/runs`, { headers: { authorization: `Bearer ${secret}` } });
    expect((await asBot()).status).toBe(200);

    // The list never shows it again.
    await go('/tokens');
    expect(await page.content()).not.toContain(secret);
    const row = page.locator('tbody tr', { hasText: 'ci-bot' });
    expect(await row.locator('td').nth(0).textContent()).toBe('operator');
    await row.getByRole('button', { name: 'Revoke ci-bot' }).click();
    await expect.poll(() => page.getByText('Revoked ci-bot').count()).toBe(1);
    expect((await asBot()).status).toBe(401);
    expect(await page.locator('tbody tr', { hasText: 'ci-bot' }).getByRole('button').count()).toBe(0);
    await checkPage(page, 'tokens');
  });

  it('cancels a running 100k run from its page: it ends cancelled, and what it applied is journaled', async () => {
    await json('POST', '/api/policies', { path: 'ops/bulk.ts', source: population('bulk') });
    const rows = Array.from({ length: 100_000 }, (_, i) => `B${String(i).padStart(6, '0')},Person ${i}`);
    const config = await csvConfig('bulk', rows, 'ops/bulk.ts');
    await go(`/configs/${config.id}`);
    await page.getByRole('button', { name: 'Run now' }).click();
    await page.waitForURL(/\/runs\/[^/]+$/);
    const runId = new URL(page.url()).pathname.split('/').pop()!;
    await checkPage(page, 'run-cancel-button');
    // Cancel once the run writes, as its live view shows it (the progress the page polls).
    type Progress = { phase: string | null; done: number; finished: boolean };
    for (;;) {
      // A busy server may drop an idle kept-alive connection: that poll is simply tried again.
      const progress = await page.request
        .get(`${base}/runs/${runId}/progress`)
        .then((r) => r.json() as Promise<Progress>)
        .catch(() => null);
      expect(progress?.finished ?? false).toBe(false);
      if (progress?.phase === 'applying' && progress.done > 0) break;
      await sleep(250);
    }
    // While a 100k run writes, the embedded database answers the console between its batches.
    await page.getByRole('button', { name: 'Cancel run' }).click({ timeout: 120_000 });
    await waitForRunEnd(page);
    expect(await page.locator('dl.facts dd .badge').first().textContent()).toBe('cancelled');
    await checkPage(page, 'run-cancelled');

    const run = await getRun(runId);
    expect(run).toMatchObject({
      status: 'cancelled',
      cancelledBy: 'test-admin',
      error: { code: 'cancelled' },
    });
    const counted = Object.fromEntries(
      (
        await db.rows<{ outcome: string; n: number }>(
          sql`select outcome, count(*)::int as n from run_events where run_id = ${runId} group by outcome`,
        )
      ).map((r) => [r.outcome, Number(r.n)]),
    );
    const applied = counted.applied ?? 0;
    expect(applied).toBeGreaterThan(0);
    expect(applied + (counted.planned ?? 0)).toBe(100_000);
    expect(counted.planned).toBeGreaterThan(0);
    // No half-written batch: the IDM holds exactly the users whose events say applied.
    const [users] = await db.rows<{ n: number }>(
      sql`select count(*)::int as n from idm_objects where employee_id like 'B%'`,
    );
    expect(Number(users?.n)).toBe(applied);
  });
});
