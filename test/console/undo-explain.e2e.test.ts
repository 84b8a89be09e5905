import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoWorkspace } from '../../server/demo/seed.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.ts';
import { createReviewApi, type ReviewApi } from '../review/review-fixture.ts';
import { addIdmUser, createCsvSystem } from '../runs/recon-fixture.ts';
import { checkPage, goTo, pictureIfFailed, waitForRunEnd } from './browser.ts';
import { openConsole } from './console-session.ts';

/** Issue 18 in Chromium: undo a damaged run from its page, and the event page's "Why?" panel. */
const shots = '/tmp/trueup-shots/undo';

const tiedRule = `import { defineMatchingRule } from 'trueup:policy';
const mail = (v: unknown) => (typeof v === 'string' ? v.trim().toLowerCase() : '');
export default defineMatchingRule({
  accountKeys: (account) => [mail(account.attributes.email)].filter(Boolean),
  idmKeys: (user) => [mail(user.attributes.email)].filter(Boolean),
  score: (_account, candidate) => (String(candidate.attributes.name).startsWith('Ann') ? 70 : 5),
});`;

describe('undo and explain in the console', { timeout: 300_000 }, () => {
  let db: TestDatabase;
  let api: ReviewApi;
  let base: string;
  let closeConsole: (() => Promise<void>) | undefined;
  let page: Page;

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
    ({ base, page, close: closeConsole } = await openConsole(api));
  });

  afterEach((context) => pictureIfFailed(page, context.task));

  afterAll(async () => {
    await closeConsole?.();
  });

  it('undoes a damaged run from its page: the plan lists what it will not do, and applying it restores the users', async () => {
    expect(await seedDemoWorkspace(db, api.services.config.dataDir)).toBe(true);
    const hrFile = path.join(api.services.config.dataDir, 'demo/hr.csv');
    const original = readFileSync(hrFile, 'utf8');
    expect((await api.run('demo-hr-users')).status).toBe('succeeded');
    const lines = original.trimEnd().split('\n');
    writeFileSync(hrFile, `${lines.slice(0, lines.length - 6).join('\n')}\n`);
    const damaged = await api.run('demo-hr-users');
    const disabled = damaged.counts.applied?.DISABLE_IN_IDM ?? 0;
    expect(disabled).toBeGreaterThan(1);
    writeFileSync(hrFile, original);
    // One of them was changed by hand since: the undo leaves it alone and says why.
    await db.rows(sql`update idm_objects set version = version + 1, updated_at = now() + interval '1 second'
      where id = (select idm_object_id from run_events where run_id = ${damaged.id} order by seq limit 1)`);

    await goTo(page, base, `/runs/${damaged.id}`);
    await page.getByRole('button', { name: 'Undo this run' }).click();
    await page.waitForURL(/\/review$/);
    await expect.poll(() => page.getByRole('heading', { name: 'Undo plan' }).count()).toBe(1);
    expect(await page.getByText('changed_since_run').count()).toBe(1);
    // The planned actions, and the one the undo skips (it is listed with its response too).
    expect(await page.getByRole('cell', { name: 'UNDO_DISABLE_IN_IDM' }).count()).toBe(disabled);
    await checkPage(page, 'undo-plan');
    await shoot('undo-plan');

    await page.getByRole('button', { name: 'Apply this plan' }).click();
    await waitForRunEnd(page);
    const [row] = await db.rows<{ n: number }>(
      sql`select count(*)::int as n from idm_objects where status = 'disabled'`,
    );
    expect(Number(row?.n)).toBe(1);
  });

  it('shows a DISPUTED event’s candidates with their scores in the Why? panel', async () => {
    const saved = await api.request('POST', '/api/policies', {
      body: { path: 'test/tied.ts', source: tiedRule },
    });
    expect(saved.status).toBe(201);
    await addIdmUser(db, 'X1', { email: 'ann@x', name: 'Ann First' });
    await addIdmUser(db, 'X2', { email: 'ann@x', name: 'Ann Second' });
    const app = await createCsvSystem(db, 'employeeId,name,email\nA1,Ann,ann@x\n', {
      trusted: false,
      name: 'Badge readers',
      config: { sourceAttributeName: null, idmField: null, matchingPolicy: 'test/tied.ts' },
      situations: { DISPUTED: 'DO_NOTHING' },
    });
    const run = await api.run(app.configId);
    const [event] = await db.rows<{ id: number }>(
      sql`select id from run_events where run_id = ${run.id} and situation = 'DISPUTED'`,
    );
    await goTo(page, base, `/runs/${run.id}/events/${event?.id}`);
    const why = page.getByRole('region', { name: 'Why?' });
    await expect.poll(() => why.count()).toBe(1);
    expect(await why.getByRole('row', { name: /Ann First.*70/ }).count()).toBe(1);
    expect(await why.getByRole('row', { name: /Ann Second.*70/ }).count()).toBe(1);
    expect(await why.getByText('2 IDM objects matched and none won clearly').count()).toBe(1);
    expect(await why.getByText(/the account's keys ann@x/).count()).toBe(1);
    await checkPage(page, 'why-disputed');
    await shoot('why-panel');
  });
});
