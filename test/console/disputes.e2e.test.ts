import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.ts';
import { createReviewApi, type ReviewApi } from '../review/review-fixture.ts';
import { addIdmUser, createCsvSystem } from '../runs/recon-fixture.ts';
import { checkPage, goTo, pictureIfFailed } from './browser.ts';
import { openConsole } from './console-session.ts';

/** Issue 17 in Chromium: a dispute shows its candidates by name, key attributes and score, then the decision. */
const shots = '/tmp/trueup-shots/operate2';

const scoredRule = `import { defineMatchingRule } from 'trueup:policy';
const mail = (v: unknown) => (typeof v === 'string' ? v.trim().toLowerCase() : '');
export default defineMatchingRule({
  accountKeys: (account) => [mail(account.attributes.email)].filter(Boolean),
  idmKeys: (user) => [mail(user.attributes.email)].filter(Boolean),
  score: (_account, candidate) => (String(candidate.attributes.name).startsWith('Ann') ? 70 : 5),
});`;

describe('disputes in the console', { timeout: 180_000 }, () => {
  let db: TestDatabase;
  let api: ReviewApi;
  let base: string;
  let closeConsole: (() => Promise<void>) | undefined;
  let page: Page;
  let runId: string;

  /** A full-page picture for the closing note, beside checkPage's axe check. */
  const shoot = async (name: string) => {
    mkdirSync(shots, { recursive: true });
    const viewport = page.viewportSize() ?? { width: 1366, height: 850 };
    const height = await page.evaluate<number>('document.documentElement.scrollHeight');
    await page.setViewportSize({ width: viewport.width, height: Math.max(viewport.height, height) });
    await page.screenshot({ path: path.join(shots, `${name}.png`) });
    await page.setViewportSize(viewport);
  };

  beforeAll(async () => {
    db = await createTestDatabase('pglite');
    api = await createReviewApi(db);
    ({ base, page, close: closeConsole } = await openConsole(api, { acceptDialogs: false }));

    const saved = await api.request('POST', '/api/policies', {
      body: { path: 'test/scored.ts', source: scoredRule },
    });
    expect(saved.status).toBe(201);
    await addIdmUser(db, 'X1', { email: 'ann@x', name: 'Ann Lee', login: 'alee' });
    await addIdmUser(db, 'X2', { email: 'ann@x', name: 'Bob Ray', login: 'bray' });
    await addIdmUser(db, 'X3', { email: 'ann@x', name: 'Ann Other', login: 'aother' });
    const app = await createCsvSystem(db, 'employeeId,name,email\nA1,Ann,ann@x\n', {
      trusted: false,
      name: 'Badge readers',
      config: { sourceAttributeName: null, idmField: null, matchingPolicy: 'test/scored.ts' },
      situations: { DISPUTED: 'DO_NOTHING' },
    });
    runId = (await api.run(app.configId)).id;
  });

  afterEach((context) => pictureIfFailed(page, context.task));

  afterAll(async () => {
    await closeConsole?.();
  });

  it('shows each candidate by name with its key attributes and score, not its id', async () => {
    await goTo(page, base, '/disputes');
    await page.getByRole('link', { name: 'A1' }).click();
    const candidates = page.locator('article.candidate');
    expect(await candidates.count()).toBe(3);
    // Highest score first; a name, a score and the key attributes (login, email) each.
    expect(await candidates.locator('h3').allTextContents()).toEqual([
      expect.stringContaining('Ann'),
      expect.stringContaining('Ann'),
      expect.stringContaining('Bob Ray'),
    ]);
    const bob = candidates.filter({ hasText: 'Bob Ray' });
    expect(await bob.locator('.candidate-score').textContent()).toContain('score 5');
    const keys = bob.getByRole('definition');
    expect(await keys.allTextContents()).toEqual(['bray', 'ann@x', 'X2']);
    const ann = candidates.filter({ hasText: 'Ann Lee' });
    expect(await ann.locator('.candidate-score').textContent()).toContain('score 70');
    // The buttons say whom they link to.
    expect(await page.getByRole('button', { name: 'Link to Ann Lee' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: /Link to .*[0-9a-f]{8}-/ }).count()).toBe(0);
    await checkPage(page, 'dispute-open');
    await shoot('dispute-open');
  });

  it('says which candidate was linked and who decided, on the dispute and in the list', async () => {
    await page.getByRole('button', { name: 'Link to Ann Lee' }).click();
    await expect.poll(() => page.locator('main .badge', { hasText: 'resolved' }).count()).toBe(1);
    const decision = (await page.getByRole('status').textContent()) ?? '';
    expect(decision).toContain('Linked to Ann Lee (score 70) by test-admin');
    expect(await page.locator('article.candidate-linked h3').textContent()).toContain('Ann Lee');
    expect(await page.getByRole('button', { name: /Link to/ }).count()).toBe(0);
    await checkPage(page, 'dispute-resolved');
    await shoot('dispute-resolved');

    await goTo(page, base, '/disputes?status=resolved');
    expect(await page.getByRole('cell', { name: /linked to Ann Lee by test-admin/ }).count()).toBe(1);
    await checkPage(page, 'disputes-resolved');
    await shoot('disputes-resolved');

    await goTo(page, base, `/runs/${runId}`);
    await checkPage(page, 'run-disputed');
    await shoot('run-labels');
  });
});
