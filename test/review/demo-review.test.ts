import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { openPglite } from '../../server/db/client.ts';
import { migrateDatabase } from '../../server/db/migrate.ts';
import { seedDemoWorkspace } from '../../server/demo/seed.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { runTrueup, tempDataDir } from '../helpers/server.ts';
import { createReviewApi, eventRows, type ReviewApi } from './review-fixture.ts';

const idmUserCount = async (api: ReviewApi) => {
  const [row] = await api.services.db.rows<{ n: number }>(
    sql`select count(*)::int as n from idm_objects where type = 'User'`,
  );
  return Number(row?.n);
};

describeEachDatabase('review over the CSV demo workspace', (db) => {
  let api: ReviewApi;
  let hrFile: string;
  beforeAll(async () => {
    api = await createReviewApi(db());
    expect(await seedDemoWorkspace(db(), api.services.config.dataDir)).toBe(true);
    hrFile = path.join(api.services.config.dataDir, 'demo/hr.csv');
  });

  it('dry run, then an edit to one row: apply writes every planned action but that row’s, and says why', async () => {
    const plan = await api.run('demo-hr-users', { dryRun: true });
    expect(plan.status).toBe('succeeded');
    const planned = (await eventRows(db(), plan.id)).filter((e) => e.outcome === 'planned');
    expect(planned.length).toBe(37);
    expect(await idmUserCount(api)).toBe(0);

    const original = readFileSync(hrFile, 'utf8');
    writeFileSync(hrFile, original.replace('E1002,Grace,Hopper', 'E1002,Grace,Hopper-Edited'));

    const applied = await api.apply(plan.id, plan.planHash as string);
    expect(applied).toMatchObject({
      status: 'succeeded_with_errors',
      appliedFrom: plan.id,
      approvedBy: 'test-admin',
      counts: { skipped: 1 },
    });
    const events = await eventRows(db(), applied.id);
    expect(events.length).toBe(37);
    const skipped = events.filter((e) => e.outcome === 'skipped');
    expect(skipped.map((e) => [e.object_key, e.error?.code])).toEqual([['E1002', 'changed_since_plan']]);
    expect(skipped[0]?.error?.message).toContain(
      'account "E1002" changed on the system since the plan was made',
    );
    expect(events.filter((e) => e.outcome === 'applied').length).toBe(36);
    expect(await idmUserCount(api)).toBe(36);
    const [grace] = await db().rows(sql`select id from idm_objects where employee_id = 'E1002'`);
    expect(grace).toBeUndefined();
    writeFileSync(hrFile, original);
  });

  it('the README example: a terminated employee, reviewed in a dry run and applied, is disabled', async () => {
    const original = readFileSync(hrFile, 'utf8');
    const hired = await api.run('demo-hr-users');
    expect(hired.status).toBe('succeeded');
    writeFileSync(hrFile, original.replace(/^(E1005,.*),active,/m, '$1,terminated,'));
    const plan = await api.run('demo-hr-users', { dryRun: true });
    expect(plan.status).toBe('succeeded');
    const planned = (await eventRows(db(), plan.id)).filter((e) => e.outcome === 'planned');
    expect(planned.map((e) => e.response)).toEqual(['DISABLE_IN_IDM']);

    // The drift check reads E1005 under the plan's own target query (active employees only):
    // still absent, so nothing drifted and the approved action is carried out.
    const applied = await api.apply(plan.id, plan.planHash as string);
    expect(applied).toMatchObject({ status: 'succeeded', counts: { applied: { DISABLE_IN_IDM: 1 } } });
    const [e1005] = await db().rows<{ status: string }>(
      sql`select status from idm_objects where employee_id = 'E1005'`,
    );
    expect(e1005?.status).toBe('disabled');

    // Back in the file: the system whose absence disabled the user enables it again.
    writeFileSync(hrFile, original);
    const back = await api.run('demo-hr-users');
    expect(back.counts.applied).toEqual({ UPDATE_IDM_FROM_RESOURCE: 1 });
    const [again] = await db().rows<{ status: string }>(
      sql`select status from idm_objects where employee_id = 'E1005'`,
    );
    expect(again?.status).toBe('active');
    const settled = await api.run('demo-hr-users');
    expect(settled.status).toBe('succeeded');
    expect(await eventRows(db(), settled.id)).toEqual([]);
  });

  it('an empty source file stops a run as stopped_by_guard with nothing written', async () => {
    const original = readFileSync(hrFile, 'utf8');
    const before = await db().rows(sql`select id, status, version from idm_objects order by id`);
    writeFileSync(hrFile, `${original.split('\n')[0]}\n`);
    const run = await api.run('demo-hr-users');
    expect(run.status).toBe('stopped_by_guard');
    expect(run.error?.details).toMatchObject({ reason: 'min_accounts', rule: 'minAccounts', accounts: 0 });
    expect(await db().rows(sql`select id, status, version from idm_objects order by id`)).toEqual(before);
    // Its plan (disable all 37 users) is held for an admin to look at, not written.
    expect((await eventRows(db(), run.id)).filter((e) => e.outcome === 'planned').length).toBe(37);
    writeFileSync(hrFile, original);
  });
});

describe('trueup run demo-hr-users --key', () => {
  it('records exactly one object’s event', async () => {
    const dataDir = tempDataDir();
    const seeded = await openPglite(path.join(dataDir, 'pglite'));
    await migrateDatabase(seeded);
    await seedDemoWorkspace(seeded, dataDir);
    await seeded.close();
    const env = { DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
    const result = await runTrueup(['run', 'demo-hr-users', '--key', 'E1003'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/mode\s+keys/);
    expect(result.stdout).toMatch(/situation IDM_NOT_EXISTS__RESOURCE_EXISTS\s+1\n/);
    const db = await openPglite(path.join(dataDir, 'pglite'));
    try {
      const events = await db.rows<{ object_key: string; response: string; outcome: string }>(
        sql`select object_key, response, outcome from run_events`,
      );
      expect(events).toEqual([{ object_key: 'E1003', response: 'ADD_TO_IDM', outcome: 'applied' }]);
      const users = await db.rows<{ employee_id: string }>(sql`select employee_id from idm_objects`);
      expect(users).toEqual([{ employee_id: 'E1003' }]);
    } finally {
      await db.close();
    }
    const usage = await runTrueup(['run', 'demo-hr-users', '--key', 'E1', '--key', 'E1'], env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('each key may appear once');
  }, 120_000);
});
