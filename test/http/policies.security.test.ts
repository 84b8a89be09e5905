import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ErrorBody } from '../../server/http/errors.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { describeEachDatabase } from '../helpers/databases.ts';

const ok = `import { definePopulation } from 'trueup:policy';\nexport default definePopulation(() => ({}));\n`;

describeEachDatabase('policies API (security)', (db) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await createTestApi(db(), { SANDBOX_MEMORY_MB: '32', SANDBOX_TIMEOUT_MS: '5000' });
  });
  afterAll(() => api.services.policyRunner.close());

  it('needs a token for every policy route', async () => {
    for (const [method, path] of [
      ['GET', '/api/policies'],
      ['GET', '/api/policies/a.ts'],
      ['POST', '/api/policies'],
      ['POST', '/api/policies/test'],
    ] as const) {
      const res = await api.request(method, path, {
        role: null,
        body: method === 'POST' ? { path: 'a.ts', source: ok } : undefined,
      });
      expect(res.status).toBe(401);
    }
  });

  it('lets a viewer read but not save or run policies', async () => {
    const save = await api.request('POST', '/api/policies', {
      role: 'viewer',
      body: { path: 'a.ts', source: ok },
    });
    expect(save.status).toBe(403);
    const run = await api.request('POST', '/api/policies/test', {
      role: 'viewer',
      body: { path: 'a.ts', input: {} },
    });
    expect(run.status).toBe(403);
    expect((await api.request('GET', '/api/policies', { role: 'viewer' })).status).toBe(200);
  });

  it('keeps a hostile policy in the sandbox: the server answers 422 and goes on serving', async () => {
    const bomb = `import { definePopulation } from 'trueup:policy';\nexport default definePopulation(() => {\n  const m = new Map<number, number>();\n  let i = 0;\n  while (true) m.set(i++, i);\n});\n`;
    expect(
      (await api.request('POST', '/api/policies', { body: { path: 'bomb.ts', source: bomb } })).status,
    ).toBe(201);
    const res = await api.request('POST', '/api/policies/test', {
      body: { path: 'bomb.ts', input: { account: { key: 'k' } } },
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as ErrorBody).error.details).toMatchObject({ kind: 'memory' });
    expect((await api.request('POST', '/api/policies', { body: { path: 'a.ts', source: ok } })).status).toBe(
      201,
    );
    const next = await api.request('POST', '/api/policies/test', {
      body: { path: 'a.ts', input: { account: { key: 'k' } } },
    });
    expect(await next.json()).toMatchObject({ output: {} });
  });

  it('treats paths as data: SQL and traversal in a path are refused or simply not found', async () => {
    const injected = await api.request('GET', `/api/policies/${encodeURIComponent("x.ts' or '1'='1")}`);
    expect(injected.status).toBe(400);
    const traversal = await api.request('POST', '/api/policies', {
      body: { path: 'a/../../b.ts', source: ok },
    });
    expect(traversal.status).toBe(400);
    const relative = `import { definePopulation } from 'trueup:policy';\nimport { x } from '../../../etc/passwd';\nexport default definePopulation(() => ({ x }));\n`;
    const escaped = await api.request('POST', '/api/policies', {
      body: { path: 'escape.ts', source: relative },
    });
    expect(escaped.status).toBe(422);
    expect(((await escaped.json()) as ErrorBody).error.details).toMatchObject({
      diagnostics: [{ kind: 'import', line: 2 }],
    });
  });
});
