import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { GetPolicyResponse } from '../../server/http/routes/policies/get-policy.ts';
import type { ListPoliciesResponse } from '../../server/http/routes/policies/list-policies.ts';
import type { SavePolicyResponse } from '../../server/http/routes/policies/save-policy.ts';
import type { TestPolicyResponse } from '../../server/http/routes/policies/test-policy.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { repoRoot } from '../helpers/server.ts';

const example = (name: string) => readFileSync(path.join(repoRoot, 'policies/examples', name), 'utf8');

describeEachDatabase('policies API (happy)', (db) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await createTestApi(db());
  });
  afterAll(() => api.services.policyRunner.close());

  it('saves and compiles a policy and its helper, lists and reads them', async () => {
    const helper = await api.request('POST', '/api/policies', {
      body: { path: 'hr/normalize.ts', source: example('normalize.ts') },
    });
    expect(helper.status).toBe(201);
    const saved = await api.request('POST', '/api/policies', {
      body: { path: 'hr/population.ts', source: example('population-hr.ts') },
    });
    expect(saved.status).toBe(201);
    const body = (await saved.json()) as SavePolicyResponse;
    expect(body).toEqual({
      path: 'hr/population.ts',
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      kind: 'population',
      diagnostics: [],
    });

    const list = (await (
      await api.request('GET', '/api/policies', { role: 'viewer' })
    ).json()) as ListPoliciesResponse;
    expect(list.items.map((p) => [p.path, p.kind])).toEqual([
      ['hr/normalize.ts', null],
      ['hr/population.ts', 'population'],
    ]);
    const read = await api.request('GET', '/api/policies/hr/population.ts', { role: 'viewer' });
    expect(read.status).toBe(200);
    const detail = (await read.json()) as GetPolicyResponse;
    expect(detail).toMatchObject({
      path: 'hr/population.ts',
      kind: 'population',
      hash: body.hash,
      source: example('population-hr.ts'),
    });
  });

  it('runs a saved policy on a sample input with the optional parts left out', async () => {
    const res = await api.request('POST', '/api/policies/test', {
      body: {
        path: 'hr/population.ts',
        input: { account: { key: '42', attributes: { mail: 'Ada@Example.com', givenName: 'ada' } } },
      },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as TestPolicyResponse;
    expect(body).toMatchObject({
      path: 'hr/population.ts',
      kind: 'population',
      output: { employeeId: '42', email: 'ada@example.com', login: 'ada', firstName: 'Ada' },
    });
  });

  it('runs unsaved source on a sample without saving it, with the lines it logged', async () => {
    const source = `import { definePopulation, log } from 'trueup:policy';

export default definePopulation(({ account }) => {
  log.info(\`populating \${account.key}\`);
  return { employeeId: account.key, name: 'draft' };
});
`;
    const res = await api.request('POST', '/api/policies/test', {
      body: { path: 'hr/population.ts', source, input: { account: { key: '7', attributes: {} } } },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as TestPolicyResponse;
    expect(body.output).toEqual({ employeeId: '7', name: 'draft' });
    expect(body.logs).toEqual([
      expect.objectContaining({ level: 'info', message: 'populating 7', file: 'hr/population.ts', line: 4 }),
    ]);
    // The saved version is untouched.
    const saved = (await (await api.request('GET', '/api/policies/hr/population.ts')).json()) as {
      source: string;
    };
    expect(saved.source).toBe(example('population-hr.ts'));
  });

  it('runs a matching rule on both sides and scores the pair', async () => {
    const source = example('matching-employee-number.ts').replace('./normalize.ts', '../hr/normalize.ts');
    expect(
      (await api.request('POST', '/api/policies', { body: { path: 'match/employee.ts', source } })).status,
    ).toBe(201);
    const res = await api.request('POST', '/api/policies/test', {
      body: {
        path: 'match/employee.ts',
        input: {
          account: {
            key: 'a',
            attributes: { employeeNumber: '0042', mail: 'ada@example.com', sn: 'Lovelace' },
          },
          idmObject: { attributes: { employeeId: '42', email: 'ada@example.com', lastName: 'lovelace' } },
        },
      },
    });
    expect(await res.json()).toMatchObject({
      output: { accountKeys: ['emp:42'], idmKeys: ['emp:42', 'mail:ada@example.com'], score: 100 },
    });
  });
});
