import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ErrorBody } from '../../server/http/errors.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { describeEachDatabase } from '../helpers/databases.ts';

const throwing = `import { definePopulation } from 'trueup:policy';\n\nexport default definePopulation((ctx) => {\n  if (!ctx.account.attributes.mail) throw new Error('no mail for ' + ctx.account.key);\n  return { email: String(ctx.account.attributes.mail) };\n});\n`;

describeEachDatabase('policies API (errors)', (db) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await createTestApi(db());
  });
  afterAll(() => api.services.policyRunner.close());

  it('answers 422 with line/column diagnostics for a type error, and does not save it', async () => {
    const res = await api.request('POST', '/api/policies', {
      body: {
        path: 'bad.ts',
        source: `import { definePopulation } from 'trueup:policy';\nexport default definePopulation(() => ({ a: {} }));\n`,
      },
    });
    expect(res.status).toBe(422);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.code).toBe('UNPROCESSABLE');
    expect(body.error.message).toMatch(/^bad\.ts does not compile: bad\.ts:2:42: error \[type TS2322\]/);
    expect(body.error.details).toMatchObject({
      kind: 'population',
      diagnostics: [{ line: 2, column: 42, severity: 'error', kind: 'type' }],
    });
    expect((await api.request('GET', '/api/policies/bad.ts')).status).toBe(404);
  });

  it('names a forbidden import and its line', async () => {
    const res = await api.request('POST', '/api/policies', {
      body: {
        path: 'net.ts',
        source: `import { definePopulation } from 'trueup:policy';\nimport http from 'node:http';\nexport default definePopulation(() => ({ a: String(http) }));\n`,
      },
    });
    expect(res.status).toBe(422);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.details).toMatchObject({
      diagnostics: [
        { line: 2, kind: 'import', message: expect.stringContaining('import "node:http" is not allowed') },
      ],
    });
  });

  it('rejects bad paths and bodies with 400 naming the field', async () => {
    for (const bad of ['../etc/passwd.ts', '/abs.ts', 'no-extension', 'a//b.ts']) {
      const res = await api.request('POST', '/api/policies', { body: { path: bad, source: '' } });
      expect(res.status).toBe(400);
      expect(((await res.json()) as ErrorBody).error.message).toMatch(/^path: /);
    }
    const missing = await api.request('POST', '/api/policies', { body: { path: 'x.ts' } });
    expect(((await missing.json()) as ErrorBody).error.message).toMatch(/^source: /);
    expect((await api.request('POST', '/api/policies', { body: 'not json' })).status).toBe(400);
  });

  it('reports a thrown error with the policy line, and bad sample input as 400', async () => {
    expect(
      (await api.request('POST', '/api/policies', { body: { path: 'hr/throwing.ts', source: throwing } }))
        .status,
    ).toBe(201);
    const res = await api.request('POST', '/api/policies/test', {
      body: { path: 'hr/throwing.ts', input: { account: { key: 'e7' } } },
    });
    expect(res.status).toBe(422);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.message).toBe('hr/throwing.ts:4:43: thrown error: no mail for e7');
    expect(body.error.details).toMatchObject({
      kind: 'thrown',
      line: 4,
      column: 43,
      stack: '    at hr/throwing.ts:4:43',
    });

    const badInput = await api.request('POST', '/api/policies/test', {
      body: { path: 'hr/throwing.ts', input: { account: 'x' } },
    });
    expect(badInput.status).toBe(400);
    expect(((await badInput.json()) as ErrorBody).error.message).toMatch(/^input\.account: /);
  });

  it('reports the errors of unsaved source by line with 422, and runs nothing', async () => {
    const res = await api.request('POST', '/api/policies/test', {
      body: {
        path: 'hr/draft.ts',
        source:
          "import { definePopulation } from 'trueup:policy';\nexport default definePopulation(() => ({ name: 1 + }));\n",
        input: { account: { key: 'e1' } },
      },
    });
    expect(res.status).toBe(422);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.message).toMatch(/^hr\/draft\.ts does not compile: hr\/draft\.ts:2:/);
    expect(body.error.details).toMatchObject({
      path: 'hr/draft.ts',
      diagnostics: [expect.objectContaining({ line: 2 })],
    });
    expect((await api.request('GET', '/api/policies/hr/draft.ts')).status).toBe(404);
    const badPath = await api.request('POST', '/api/policies/test', {
      body: { path: '../escape.ts', source: 'export default 1;', input: {} },
    });
    expect(badPath.status).toBe(400);
  });

  it('answers 404 for a policy that is not saved', async () => {
    const res = await api.request('POST', '/api/policies/test', { body: { path: 'missing.ts', input: {} } });
    expect(res.status).toBe(404);
    expect((await api.request('GET', '/api/policies/missing.ts')).status).toBe(404);
  });
});
