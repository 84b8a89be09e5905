import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.ts';
import { type ReplaySetup, setUpReplay, upperPopulation } from '../http/replay-fixtures.ts';
import { checkPage, goTo, pictureIfFailed } from './browser.ts';
import { openConsole } from './console-session.ts';

/** Where the closing note takes its picture of the replay diff from. */
const shots = '/tmp/trueup-shots/replay';

/**
 * Issue 18 item 3 in Chromium against the real app: the policy editor replays its unsaved text on
 * the last recorded run and shows the outcome diff; nothing is saved.
 */
describe('replaying a policy from the console', { timeout: 300_000 }, () => {
  let db: TestDatabase;
  let api: TestApi;
  let base: string;
  let closeConsole: (() => Promise<void>) | undefined;
  let page: Page;
  let setup: ReplaySetup;

  beforeAll(async () => {
    db = await createTestDatabase('pglite');
    api = await createTestApi(db);
    setup = await setUpReplay(api);
    ({
      base,
      page,
      close: closeConsole,
    } = await openConsole(api, { timeoutMs: 30_000, acceptDialogs: false }));
    // Chromium and two runs start here: a loaded machine needs the time.
  }, 280_000);

  afterEach((context) => pictureIfFailed(page, context.task));

  afterAll(async () => {
    await closeConsole?.();
  }, 120_000);

  it("shows what the editor's text would decide differently on the last run, without saving it", async () => {
    await goTo(page, base, `/policies/edit?path=${encodeURIComponent('hr/population.ts')}`);
    await page.getByLabel('Source').fill(upperPopulation);
    await page.getByRole('button', { name: 'Replay on the last run' }).click();
    await expect.poll(() => page.getByText('Nothing was saved or written.').count()).toBe(1);
    expect(await page.locator('#replay-h ~ ul.counts li').allTextContents()).toEqual([
      '3changed',
      '0situation',
      '0response',
      '3attributes',
      '0errors',
      '0new',
      '0gone',
    ]);
    const rows = await page.locator('#replay-h ~ .table-wrap tbody tr').allInnerTexts();
    expect(rows.map((r) => r.replace(/\s+/g, ' ').trim())).toEqual([
      'E1 attributes Account not in the IDM (orphan) → Add to the IDM name = "Ada Lovelace" Account not in the IDM (orphan) → Add to the IDM name = "ADA LOVELACE"',
      'E3 attributes Account not in the IDM (orphan) → Add to the IDM name = "Edsger Dijkstra" Account not in the IDM (orphan) → Add to the IDM name = "EDSGER DIJKSTRA"',
      'E4 attributes Account not in the IDM (orphan) → Add to the IDM name = "Grace Hopper" Account not in the IDM (orphan) → Add to the IDM name = "GRACE HOPPER"',
    ]);
    expect(await page.getByLabel('Source').inputValue()).toBe(upperPopulation);
    const saved = await api.json<{ source: string }>('GET', '/api/policies/hr/population.ts');
    expect(saved.source).not.toBe(upperPopulation);
    expect(await page.locator(`a[href="/runs/${setup.dryRunIds[1]}"]`).count()).toBe(1);
    await checkPage(page, 'policy-replay-diff');
    mkdirSync(shots, { recursive: true });
    await page.locator('#replay-h').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${shots}/policy-replay-diff.png`, fullPage: true });
  });

  it('shows what changed since the previous run of the config: the new and the gone objects', async () => {
    const [first, last] = setup.dryRunIds;
    await goTo(page, base, `/runs/${last}`);
    await page.getByRole('link', { name: 'What changed since the previous run' }).click();
    await page.waitForURL(`${base}/runs/${last}/diff`);
    expect(await page.locator(`a[href="/runs/${first}"]`).count()).toBe(1);
    const rows = await page.locator('.table-wrap tbody tr').allInnerTexts();
    expect(rows.map((r) => r.replace(/\s+/g, ' ').trim())).toEqual([
      'E4 new not decided Account not in the IDM (orphan) → Add to the IDM name = "Grace Hopper"',
      'E2 gone Account not in the IDM (orphan) → Add to the IDM name = "Alan Turing" not decided',
    ]);
    await checkPage(page, 'run-diff');
    await page.screenshot({ path: `${shots}/run-diff.png`, fullPage: true });
  });
});
