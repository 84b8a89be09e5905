import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PopulationContext } from '../../server/core/policy-port.ts';
import { PolicyError } from '../../server/core/policy-port.ts';
import { createPolicyRunner, type PolicyService, savePolicy } from '../../server/sandbox/index.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { repoRoot } from '../helpers/server.ts';

const example = (name: string) => readFileSync(path.join(repoRoot, 'policies/examples', name), 'utf8');
const system = {
  id: 'hr',
  name: 'HR',
  type: 'csv',
  trusted: true,
  uniqueFieldKey: 'employeeNumber',
} as const;
const hire = (key: string, attributes: Record<string, string>): PopulationContext => ({
  situation: 'IDM_NOT_EXISTS__RESOURCE_EXISTS',
  account: { key, attributes },
  idmObject: null,
  system,
  vars: {},
});

describeEachDatabase('policy runner over stored policies', (db) => {
  let runner: PolicyService;
  beforeAll(() => {
    runner = createPolicyRunner(db(), { memoryMb: 64, timeoutMs: 1000, runCpuMs: 60_000 });
  });
  afterAll(() => runner.close());

  it('saves a helper module and a policy importing it, then runs the policy on a batch', async () => {
    const helper = await savePolicy(db(), 'hr/normalize.ts', example('normalize.ts'));
    expect(helper).toMatchObject({ kind: null, diagnostics: [], saved: true });
    const saved = await savePolicy(db(), 'hr/population.ts', example('population-hr.ts'));
    expect(saved).toMatchObject({ kind: 'population', diagnostics: [], saved: true });
    expect(saved.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await runner.kindOf('hr/population.ts')).toBe('population');

    const logs: unknown[] = [];
    const results = await runner.call(
      'hr/population.ts',
      'population',
      'default',
      [hire('42', { mail: ' Ada@Example.com', givenName: 'ada', sn: 'LOVELACE' }), hire('43', {})],
      { onLog: (log) => logs.push(log) },
    );
    expect(results[0]).toEqual({
      ok: true,
      value: {
        employeeId: '42',
        firstName: 'Ada',
        lastName: 'Lovelace',
        name: 'Ada Lovelace',
        email: 'ada@example.com',
        department: null,
        active: true,
        login: 'ada',
      },
    });
    expect(results[1]).toMatchObject({ ok: true, value: { login: 'emp43', email: null } });
    expect(logs).toEqual([
      {
        policy: 'hr/population.ts',
        level: 'warn',
        message: 'HR record 43 has no work email',
        index: 1,
        file: 'hr/population.ts',
        line: 13,
        column: 19,
      },
    ]);
  });

  it('costs one look-up to save an unchanged source, and keeps the old version when the new one fails', async () => {
    const first = await savePolicy(db(), 'hr/population.ts', example('population-hr.ts'));
    const started = performance.now();
    const again = await savePolicy(db(), 'hr/population.ts', example('population-hr.ts'));
    expect(performance.now() - started).toBeLessThan(100);
    expect(again.hash).toBe(first.hash);

    const broken = await savePolicy(db(), 'hr/population.ts', 'export default definePopulation(');
    expect(broken.saved).toBe(false);
    expect(broken.diagnostics[0]).toMatchObject({ kind: 'compile', severity: 'error', line: 1 });
    const results = await runner.call('hr/population.ts', 'population', 'default', [hire('7', {})]);
    expect(results[0]).toMatchObject({ ok: true, value: { employeeId: '7' } });
  });

  it('refuses unknown paths, the wrong kind, helper modules and functions the kind lacks', async () => {
    await expect(runner.kindOf('nope.ts')).rejects.toMatchObject({
      info: { kind: 'not_found', policy: 'nope.ts' },
    });
    await expect(runner.call('hr/population.ts', 'targetQuery', 'default', [])).rejects.toMatchObject({
      info: { kind: 'wrong_kind', message: 'is a population policy, not a targetQuery policy' },
    });
    await expect(runner.kindOf('hr/normalize.ts')).rejects.toBeInstanceOf(PolicyError);
    await savePolicy(
      db(),
      'match/employee.ts',
      example('matching-employee-number.ts').replace('./normalize.ts', '../hr/normalize.ts'),
    );
    const keys = await runner.call('match/employee.ts', 'matchingRule', 'accountKeys', [
      { key: 'a', attributes: { employeeNumber: '00042' } },
      { key: 'b', attributes: { mail: ' Bob@Example.com ' } },
    ]);
    expect(keys).toEqual([
      { ok: true, value: ['emp:42'] },
      { ok: true, value: ['mail:bob@example.com'] },
    ]);
    await savePolicy(
      db(),
      'match/no-score.ts',
      `import { defineMatchingRule } from 'trueup:policy';\nexport default defineMatchingRule({ accountKeys: (a) => [a.key], idmKeys: (u) => [u.id] });\n`,
    );
    await runner.call('match/no-score.ts', 'matchingRule', 'accountKeys', [{ key: 'x', attributes: {} }]);
    await expect(
      runner.call('match/no-score.ts', 'matchingRule', 'score', [
        {
          account: { key: 'x', attributes: {} },
          candidate: { id: 'u', type: 'User', status: 'active', attributes: {} },
        },
      ]),
    ).rejects.toMatchObject({
      info: { kind: 'not_found', message: 'the policy defines no "score" function' },
    });
  });

  it('takes the CPU time of every batch from the run budget and stops the run once it is spent', async () => {
    const budget = runner.createBudget();
    expect(budget).toEqual({ limitMs: 60_000, spentMs: 0 });
    await runner.call('hr/population.ts', 'population', 'default', [hire('1', {})], { budget });
    expect(budget.spentMs).toBeGreaterThan(0);
    budget.spentMs = budget.limitMs;
    await expect(
      runner.call('hr/population.ts', 'population', 'default', [hire('1', {})], { budget }),
    ).rejects.toMatchObject({ info: { kind: 'budget' } });
  });
});
