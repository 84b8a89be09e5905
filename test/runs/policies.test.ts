import { writeFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { Situation } from '../../server/core/model.ts';
import { reconSituations } from '../../server/db/schema/index.ts';
import { createPolicyRunner, type PolicyService } from '../../server/sandbox/index.ts';
import { savePolicy } from '../../server/sandbox/store.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import {
  addIdmUser,
  clearIdm,
  createCsvSystem,
  eventsOf,
  idmUsers,
  runServiceFor,
  runToEnd,
} from './recon-fixture.ts';

const sources: Record<string, string> = {
  'test/one-way.ts': `import { defineIdmQuery } from 'trueup:policy';
export default defineIdmQuery(() => null);`,
  'test/abort.ts': `import { definePreProcessor } from 'trueup:policy';
export default definePreProcessor(({ mode }) => (mode === 'full' ? { abort: 'maintenance window' } : {}));`,
  'test/match-mail.ts': `import { defineMatchingRule } from 'trueup:policy';
const mail = (v: unknown) => (typeof v === 'string' ? v.trim().toLowerCase() : '');
export default defineMatchingRule({
  accountKeys: (account) => [mail(account.attributes.email)].filter(Boolean),
  idmKeys: (user) => [mail(user.attributes.email)].filter(Boolean),
  score: (account, candidate) => (candidate.attributes.name === account.attributes.name ? 90 : 10),
});`,
  // The same rule, but it may read the clock: its keys are made for each run alone.
  'test/match-mail-clock.ts': `import { defineMatchingRule } from 'trueup:policy';
const mail = (v: unknown) => (typeof v === 'string' ? v.trim().toLowerCase() : '');
export default defineMatchingRule({
  accountKeys: (account) => [mail(account.attributes.email)].filter(Boolean),
  idmKeys: (user) => [mail(user.attributes.email)].filter(Boolean),
  score: (account, candidate) => (candidate.attributes.name === account.attributes.name ? 90 : 10) + 0 * Date.now(),
});`,
  'test/population.ts': `import { definePopulation } from 'trueup:policy';
export default definePopulation(({ account }) => ({
  employeeId: account.key,
  name: String(account.attributes.name).toUpperCase(),
}));`,
  'test/population-throws.ts': `import { definePopulation } from 'trueup:policy';
export default definePopulation(({ account }) => {
  if (account.key === 'E2') throw new Error('no E2 here');
  return { name: String(account.attributes.name) };
});`,
  'test/command.ts': `import { defineSituationCommand } from 'trueup:policy';
export default defineSituationCommand(({ account }) =>
  account?.key === 'E2' ? [{ response: 'DELETE_FROM_RESOURCE' }] : [{ response: 'DO_NOTHING' }],
);`,
  'test/custom.ts': `import { defineCustomProcessor } from 'trueup:policy';
export default defineCustomProcessor(({ pairs }) =>
  pairs.map((p) => ({
    situation: 'IDM_NOT_EXISTS__RESOURCE_EXISTS',
    response: p.account?.key === 'E1' ? 'ADD_TO_IDM' : 'DO_NOTHING',
    ...(p.account?.key === 'E1' ? { patch: { name: 'Chosen by custom' } } : {}),
  })),
);`,

  'test/population-logs.ts': `import { definePopulation, log } from 'trueup:policy';
export default definePopulation(({ account }) => {
  log.info('populated ' + account.key);
  return { name: String(account.attributes.name) };
});`,
  'test/population-clock.ts': `import { definePopulation, log } from 'trueup:policy';
export default definePopulation(({ account }) => {
  log.info('populated ' + account.key);
  return { name: String(account.attributes.name), seenAt: new Date().getFullYear() > 2000 ? 'now' : 'then' };
});`,
};

const csv = 'employeeId,name,email\nE1,Ann,ann@x\nE2,Bob,BOB@X \n';

describeEachDatabase('runs with sandboxed policies', (db) => {
  let policies: PolicyService;
  beforeAll(async () => {
    for (const [path, source] of Object.entries(sources)) {
      const saved = await savePolicy(db(), path, source);
      expect(saved.diagnostics).toEqual([]);
    }
    policies = createPolicyRunner(db(), { memoryMb: 128, timeoutMs: 10_000, runCpuMs: 120_000 });
  });
  afterAll(async () => {
    await policies?.close();
  });
  beforeEach(async () => {
    await clearIdm(db());
  });
  const service = () => runServiceFor(db(), { policies });
  const setPopulation = async (configId: string, situation: Situation, populationPolicy: string) =>
    db()
      .orm.insert(reconSituations)
      .values({ configId, situation, response: 'ADD_TO_IDM', populationPolicy })
      .onConflictDoUpdate({
        target: [reconSituations.configId, reconSituations.situation],
        set: { populationPolicy },
      });

  it('an IDM query returning null makes the run one-way: no IDM side, no IDM-only situation', async () => {
    await addIdmUser(db(), 'E1', { email: 'ann@x' });
    await addIdmUser(db(), 'E9');
    const app = await createCsvSystem(db(), csv, {
      config: { idmQueryPolicy: 'test/one-way.ts' },
      situations: { IDM_EXISTS__RESOURCE_NOT_EXISTS: 'DELETE_FROM_IDM' },
    });
    const run = await runToEnd(service(), db(), { configId: app.configId });
    expect(run.status).toBe('succeeded');
    expect(run.counts.situations).toEqual({ IDM_NOT_EXISTS__RESOURCE_EXISTS: 2 });
    expect((await idmUsers(db())).map((u) => u.status)).toEqual(['active', 'active']);
  });

  it('a pre-processor can abort the run, which then writes nothing', async () => {
    const app = await createCsvSystem(db(), csv, {
      config: { preProcessorPolicy: 'test/abort.ts' },
      situations: { IDM_NOT_EXISTS__RESOURCE_EXISTS: 'ADD_TO_IDM' },
    });
    const run = await runToEnd(service(), db(), { configId: app.configId });
    expect([run.status, run.error?.message]).toEqual(['aborted_by_preprocessor', 'maintenance window']);
    expect(await idmUsers(db())).toEqual([]);
    expect(await eventsOf(db(), run.id)).toEqual([]);
  });

  const keyKinds = async () =>
    (await db().rows<{ kind: string }>(sql`select kind from idm_key_kinds order by kind`)).map((r) => r.kind);
  const runKeyRows = async (runId: string) => {
    const [row] = await db().rows<{ n: number }>(
      sql`select (select count(*) from idm_keys where kind like ${`run:${runId}:%`})
        + (select count(*) from idm_key_sets where kind like ${`run:${runId}:%`})::int as n`,
    );
    return Number(row?.n);
  };

  it.each([
    ['test/match-mail.ts', 'kept for later runs'],
    ['test/match-mail-clock.ts', 'made for the run alone'],
  ])(
    'the matching rule %s correlates on its own keys (%s) and its score picks among several candidates',
    async (rule, keys) => {
      const kindsBefore = await keyKinds();
      const ann = await addIdmUser(db(), 'X1', { email: 'ANN@x', name: 'Ann' });
      await addIdmUser(db(), 'X2', { email: 'bob@x', name: 'Robert' });
      const bob = await addIdmUser(db(), 'X3', { email: 'bob@x', name: 'Bob' });
      const app = await createCsvSystem(db(), csv, {
        config: { sourceAttributeName: null, idmField: null, matchingPolicy: rule },
        situations: { IDM_EXISTS__RESOURCE_EXISTS: 'UPDATE_IDM_FROM_RESOURCE' },
      });
      await setPopulation(app.configId, 'IDM_EXISTS__RESOURCE_EXISTS', 'test/population.ts');
      await db().rows(
        sql`update recon_situations set response = 'UPDATE_IDM_FROM_RESOURCE' where config_id = ${app.configId}`,
      );
      const run = await runToEnd(service(), db(), { configId: app.configId });
      expect(run.counts.situations).toEqual({
        IDM_EXISTS__RESOURCE_EXISTS: 2,
        IDM_EXISTS__RESOURCE_NOT_EXISTS: 1,
      });
      const events = await eventsOf(db(), run.id);
      expect(events.map((e) => [e.object_key, e.idm_object_id, e.outcome])).toEqual([
        ['E1', ann, 'applied'],
        ['E2', bob, 'applied'],
      ]);
      const names = (await idmUsers(db())).map((u) => [u.id, u.name]);
      expect(names).toContainEqual([bob, 'BOB']);
      expect(names).toContainEqual([ann, 'ANN']);
      // Keys made for the run alone are gone with it; the other rule's keys stay, as one kind.
      expect(await runKeyRows(run.id)).toBe(0);
      const after = await keyKinds();
      if (keys === 'made for the run alone') expect(after).toEqual(kindsBefore);
      else expect(after.filter((k) => /^rule:[0-9a-f]{64}$/.test(k)).length).toBe(1);
    },
  );

  it("a policy failing on one account fails that account's event, with the policy's line and column", async () => {
    const app = await createCsvSystem(db(), csv, {
      situations: { IDM_NOT_EXISTS__RESOURCE_EXISTS: 'ADD_TO_IDM' },
    });
    await setPopulation(app.configId, 'IDM_NOT_EXISTS__RESOURCE_EXISTS', 'test/population-throws.ts');
    const run = await runToEnd(service(), db(), { configId: app.configId });
    expect(run.status).toBe('succeeded_with_errors');
    expect(run.counts.errors).toBe(1);
    const [failed] = await db().rows<{
      object_key: string;
      error: { code: string; policy: { policy: string; line: number; column: number } };
    }>(sql`select object_key, error from run_events where run_id = ${run.id} and outcome = 'failed'`);
    expect(failed?.object_key).toBe('E2');
    expect(failed?.error.policy).toMatchObject({ policy: 'test/population-throws.ts', line: 3 });
    expect(failed?.error.policy.column).toBeGreaterThan(0);
    expect((await idmUsers(db())).map((u) => u.name)).toEqual(['Ann']);
  });

  it('a situation command replaces the default action of its situation', async () => {
    const app = await createCsvSystem(db(), csv, {
      situations: { IDM_NOT_EXISTS__RESOURCE_EXISTS: 'ADD_TO_IDM' },
    });
    await db().rows(
      sql`update recon_situations set command_policy = 'test/command.ts' where config_id = ${app.configId}`,
    );
    const run = await runToEnd(service(), db(), { configId: app.configId });
    expect(run.counts.responses).toEqual({ DO_NOTHING: 1, DELETE_FROM_RESOURCE: 1 });
    expect(app.read()).toBe('employeeId,name,email\nE1,Ann,ann@x\n');
    expect(await idmUsers(db())).toEqual([]);
  });

  it('a custom processor decides situation, response and patch for every pair', async () => {
    const app = await createCsvSystem(db(), csv, { config: { customProcessorPolicy: 'test/custom.ts' } });
    const run = await runToEnd(service(), db(), { configId: app.configId });
    expect(run.counts.responses).toEqual({ ADD_TO_IDM: 1, DO_NOTHING: 1 });
    expect((await idmUsers(db())).map((u) => u.name)).toEqual(['Chosen by custom']);
  });

  it.each([
    ['test/population-logs.ts', [2, 2, 0, 1]],
    ['test/population-clock.ts', [2, 2, 2, 2]],
  ])(
    '%s: an unchanged pair is not decided again, unless the policy may read the clock',
    async (path, calls) => {
      await addIdmUser(db(), 'E1', { name: 'Ann' });
      await addIdmUser(db(), 'E2', { name: 'Bob' });
      const app = await createCsvSystem(db(), 'employeeId,name,email\nE1,Ann,\nE2,Bob,\n', {
        situations: { IDM_EXISTS__RESOURCE_EXISTS: 'UPDATE_IDM_FROM_RESOURCE' },
      });
      await db().rows(
        sql`update recon_situations set population_policy = ${path} where config_id = ${app.configId}`,
      );
      const populated = async () => {
        const run = await runToEnd(service(), db(), { configId: app.configId });
        expect(run.status).toBe('succeeded');
        const [row] = await db().rows<{ n: number }>(
          sql`select count(*)::int as n from policy_logs where run_id = ${run.id} and message like 'populated %'`,
        );
        return Number(row?.n);
      };
      // First run: links are written. Second: in sync, decided (and remembered if it may be).
      const seen = [await populated(), await populated(), await populated()];
      // Ann's account changes: only she is decided again.
      writeFileSync(app.file, 'employeeId,name,email\nE1,Ann,ann@new\nE2,Bob,\n');
      seen.push(await populated());
      expect(seen).toEqual(calls);
    },
  );
});
