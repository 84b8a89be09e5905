import { sql } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoWorkspace } from '../../server/demo/seed.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.ts';
import { goTo, pictureIfFailed } from './browser.ts';
import { openConsole } from './console-session.ts';

/**
 * Issue 17: a console form saved unchanged changes nothing. Every system form (the demo's CSV
 * systems and one system of each other built-in type, with secrets and optional settings set),
 * every config form and the policy editor are saved untouched; the stored rows (secrets
 * decrypted, times of the write left out) are the same before and after.
 */
describe('console forms saved untouched', { timeout: 300_000 }, () => {
  let db: TestDatabase;
  let api: TestApi;
  let base: string;
  let closeConsole: (() => Promise<void>) | undefined;
  let page: Page;

  const post = async (url: string, body: unknown) => {
    const response = await api.request('POST', url, { body });
    expect(response.status, `POST ${url}: ${await response.clone().text()}`).toBeLessThan(300);
    return (await response.json()) as { id: string };
  };

  /** Everything a form could write, as stored; the write's own times and sealed bytes left out. */
  async function stored() {
    const open = (sealed: string | null) => (sealed ? api.services.secrets.open(sealed) : null);
    const systems = await db.rows<Record<string, unknown>>(sql`select * from managed_systems order by id`);
    const configs = await db.rows<Record<string, unknown>>(sql`select * from recon_configs order by id`);
    const situations = await db.rows<Record<string, unknown>>(
      sql`select * from recon_situations order by config_id, situation`,
    );
    const policies = await db.rows<Record<string, unknown>>(sql`select * from policies order by path`);
    const drop = ({ updated_at, created_at, ...rest }: Record<string, unknown>) => rest;
    return {
      systems: systems.map(
        (s): Record<string, unknown> => ({
          ...drop(s),
          encrypted_secrets: open(s.encrypted_secrets as string | null),
          encrypted_webhook_secret: open(s.encrypted_webhook_secret as string | null),
        }),
      ),
      configs: configs.map(drop),
      situations: situations.map(drop),
      policies: policies.map(drop),
    };
  }

  beforeAll(async () => {
    db = await createTestDatabase('pglite');
    api = await createTestApi(db);
    expect(await seedDemoWorkspace(db, api.services.config.dataDir)).toBe(true);
    // One system of each other built-in type, secrets and optional settings set; none is reached.
    const ldap = await post('/api/systems', {
      name: 'Directory',
      type: 'ldap',
      uniqueFieldKey: 'objectGUID',
      connection: {
        url: 'ldaps://dc.example.test:636',
        tlsOptions: { rejectUnauthorized: false, servername: 'dc.example.test' },
        bindDn: 'CN=svc,DC=example,DC=test',
        bindPassword: 'directory-secret',
        baseDn: 'DC=example,DC=test',
        scope: 'one',
        pageSize: 250,
        createContainer: 'OU=People,DC=example,DC=test',
        watermarkAttribute: 'uSNChanged',
        disable: { mode: 'ad' },
        entitlementAttribute: 'memberOf',
        referenceAttributes: ['member', 'memberOf'],
      },
      attributes: ['objectGUID', 'sAMAccountName', 'mail', 'memberOf'],
      liveChanges: { webhookSecret: 'hook-secret-of-twenty', pollSeconds: 300 },
    });
    await post('/api/systems', {
      name: 'Payroll database',
      type: 'sql',
      uniqueFieldKey: 'id',
      connection: {
        dialect: 'postgres',
        host: 'db.example.test',
        database: 'payroll',
        user: 'trueup',
        password: 'sql-secret',
        ssl: { mode: 'require' },
        table: 'people',
      },
      attributes: ['id', 'name', 'email'],
    });
    await post('/api/systems', {
      name: 'SaaS directory',
      type: 'scim',
      uniqueFieldKey: 'id',
      connection: {
        baseUrl: 'https://scim.example.test/v2',
        auth: 'oauth',
        tokenUrl: 'https://scim.example.test/token',
        clientId: 'trueup',
        clientSecret: 'oauth-secret',
        scope: 'scim',
      },
      attributes: ['id', 'userName', 'emails'],
    });
    // A config with most of its optional fields set.
    await post(`/api/systems/${ldap.id}/recon-configs`, {
      name: 'Directory users',
      objectType: 'User',
      frequency: 'nightly',
      timezone: 'Europe/Paris',
      notificationEmail: 'ops@example.test',
      sendDoNothingReport: true,
      reportFormat: 'csv',
      targetSearchFilter: '(objectClass=user)',
      sourceAttributeName: 'sAMAccountName',
      idmField: 'login',
      policyMap: ['sAMAccountName', 'mail', 'memberOf'],
      attributeSync: { mail: { direction: 'toIdm', confidence: 80 } },
      deletionThreshold: { count: 5, percent: 10 },
      staleDays: 30,
      sourceGuard: { minAccounts: 10, maxDropPercent: 25 },
      situations: { IDM_EXISTS__RESOURCE_NOT_EXISTS: { response: 'DISABLE_IN_IDM' } },
    });
    ({ base, page, close: closeConsole } = await openConsole(api, { acceptDialogs: false }));
  });

  afterEach((context) => pictureIfFailed(page, context.task));

  afterAll(async () => {
    await closeConsole?.();
  });

  /** Opens `url`, presses its Save button and waits for the page the form answers with. */
  async function saveUntouched(url: string, expectAfter: RegExp) {
    await goTo(page, base, url);
    const save = page.locator('main form').getByRole('button', { name: 'Save', exact: true });
    await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), save.click()]);
    await page.waitForLoadState('load');
    expect(await page.locator('main').textContent(), url).toMatch(expectAfter);
    expect(await page.locator('.field.has-error, .notice-bad').count(), url).toBe(0);
  }

  it('saves every system form untouched: nothing stored changes', async () => {
    const before = await stored();
    expect(before.systems.map((s) => s.type).sort()).toEqual(['csv', 'csv', 'ldap', 'scim', 'sql']);
    for (const system of before.systems) await saveUntouched(`/systems/${system.id}`, /Saved\./);
    expect(await stored()).toEqual(before);
  });

  it('saves every config form untouched: nothing stored changes', async () => {
    const before = await stored();
    expect(before.configs).toHaveLength(3);
    for (const config of before.configs) await saveUntouched(`/configs/${config.id}`, /Saved/);
    expect(await stored()).toEqual(before);
  });

  it('saves every policy in the editor untouched: nothing stored changes', async () => {
    const before = await stored();
    expect(before.policies.length).toBeGreaterThan(3);
    for (const policy of before.policies)
      await saveUntouched(`/policies/edit?path=${encodeURIComponent(String(policy.path))}`, /Saved/);
    expect(await stored()).toEqual(before);
  });
});
