import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTrueup, tempDataDir } from '../helpers/server.ts';

const examples = 'policies/examples';

describe('trueup policy check', () => {
  it('passes every example policy and names its kind', async () => {
    const result = await runTrueup([
      'policy',
      'check',
      `${examples}/population-hr.ts`,
      `${examples}/matching-employee-number.ts`,
      `${examples}/normalize.ts`,
    ]);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim().split('\n')).toEqual([
      `${examples}/population-hr.ts: ok (population)`,
      `${examples}/matching-employee-number.ts: ok (matchingRule)`,
      `${examples}/normalize.ts: ok (helper module)`,
    ]);
    expect(result.code).toBe(0);
  });

  it('prints file:line:col diagnostics and exits 1 on any error', async () => {
    const dir = tempDataDir();
    const bad = path.join(dir, 'bad.ts');
    writeFileSync(
      bad,
      `import { definePopulation } from 'trueup:policy';\nimport fs from 'node:fs';\nexport default definePopulation(() => ({ a: 1, fs: String(fs) }));\n`,
    );
    const result = await runTrueup(['policy', 'check', `${examples}/population-hr.ts`, bad]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/bad\.ts:2:16: error \[import\]: import "node:fs" is not allowed/);
  });
});

describe('trueup policy run', () => {
  it('runs a policy on a sample from stdin and prints the JSON result', async () => {
    const input = JSON.stringify({
      account: { key: '42', attributes: { mail: 'Ada@Example.com', givenName: 'ada', sn: 'LOVELACE' } },
    });
    const result = await runTrueup(
      ['policy', 'run', `${examples}/population-hr.ts`, '--input', '-'],
      {},
      input,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ employeeId: '42', name: 'Ada Lovelace', login: 'ada' });
  });

  it('exits 1 with the policy path, line, column, kind and stack on a thrown error', async () => {
    const dir = tempDataDir();
    const file = path.join(dir, 'throws.ts');
    writeFileSync(
      file,
      `import { definePopulation } from 'trueup:policy';\n\nexport default definePopulation((ctx) => {\n  throw new RangeError('bad key ' + ctx.account.key);\n});\n`,
    );
    const inputFile = path.join(dir, 'input.json');
    writeFileSync(inputFile, JSON.stringify({ account: { key: 'k1' } }));
    const result = await runTrueup(['policy', 'run', file, '--input', inputFile]);
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/throws\.ts:4:9: thrown error: RangeError: bad key k1$/);
    expect(lines[1]).toMatch(/^ {4}at .*throws\.ts:4:9$/);
  });

  it("exits 2 on bad usage or input that is not the kind's ctx", async () => {
    expect((await runTrueup(['policy', 'run', `${examples}/population-hr.ts`])).code).toBe(2);
    const result = await runTrueup(
      ['policy', 'run', `${examples}/population-hr.ts`, '--input', '-'],
      {},
      '{"account": 1}',
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/input\.account: /);
  });
});
