import { afterAll, describe, expect, it } from 'vitest';
import { createExecutor } from '../../server/sandbox/execute.ts';
import { createSandbox } from '../../server/sandbox/supervisor.ts';
import { compileInline, population, rememberingPolicy, runnable } from './inline-policy.ts';

/** A policy keeps no state between batches: module variables and globalThis start over. */
const sandbox = createSandbox({ memoryMb: 32, timeoutMs: 3000 });
const executor = createExecutor(sandbox);
afterAll(() => sandbox.close());

const record = (key: string) => ({
  situation: 'IDM_NOT_EXISTS__RESOURCE_EXISTS',
  account: { key, attributes: {} },
  idmObject: null,
  system: { id: 's', name: 'HR', type: 'csv', trusted: true, uniqueFieldKey: 'key' },
  vars: {},
});
const inputs = ['a', 'b', 'c', 'd', 'e'].map(record);
const values = (results: Array<{ ok: boolean; value?: unknown; error?: unknown }>) =>
  results.map((result) => (result.ok ? result.value : result.error));

describe('a policy that remembers values across calls', () => {
  it('starts afresh in every batch: module variables, globalThis and its prototype', async () => {
    const build = runnable(await compileInline('remembering.ts', rememberingPolicy));
    const results = await executor.execute(build, 'default', inputs, { batchSize: 2 });
    const fresh = (n: number, planted: string) => ({ calls: n, keys: n, total: n, planted, atLoad: 1 });
    expect(values(results)).toEqual([
      fresh(1, 'yes'),
      fresh(2, 'yes'),
      fresh(1, 'undefined'),
      fresh(2, 'undefined'),
      fresh(1, 'undefined'),
    ]);
    // A second call (another run, another test request) starts afresh too.
    const again = await executor.execute(build, 'default', [record('z')]);
    expect(values(again)).toEqual([fresh(1, 'undefined')]);
  });

  it('refuses a global it cannot remove, and gives the next batch a clean context', async () => {
    const build = runnable(
      await compileInline(
        'sticky.ts',
        population(
          `const g = globalThis as any;
const before = g.sticky;
if (ctx.account.key === 'a') Object.defineProperty(g, 'sticky', { value: 'kept', configurable: false });
return { before: String(before) };`,
        ),
      ),
    );
    await expect(executor.execute(build, 'default', [record('a')])).rejects.toMatchObject({
      info: {
        kind: 'thrown',
        policy: 'sticky.ts',
        message: expect.stringMatching(/left state on globalThis/),
      },
    });
    const next = await executor.execute(build, 'default', [record('b')]);
    expect(values(next)).toEqual([{ before: 'undefined' }]);
  });

  it("gives a regular expression's legacy statics no trace of the last batch", async () => {
    const build = runnable(
      await compileInline(
        'regexp-statics.ts',
        population(
          `const last = String((RegExp as any).lastMatch);
if (ctx.account.key === 'secret') /secret/.exec('the secret');
return { last };`,
        ),
      ),
    );
    await executor.execute(build, 'default', [record('secret')]);
    expect(values(await executor.execute(build, 'default', [record('b')]))).toEqual([{ last: '' }]);
  });
});
