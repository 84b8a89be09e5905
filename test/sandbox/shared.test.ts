import { afterAll, describe, expect, it } from 'vitest';
import { createExecutor } from '../../server/sandbox/execute.ts';
import { createSandbox } from '../../server/sandbox/supervisor.ts';
import { compileInline, population, runnable } from './inline-policy.ts';

/** Shared fields: sent once per batch, and still every record's own copy. */
const sandbox = createSandbox({ memoryMb: 32, timeoutMs: 3000 });
const executor = createExecutor(sandbox);
afterAll(() => sandbox.close());

const record = (key: string) => ({
  situation: 'IDM_NOT_EXISTS__RESOURCE_EXISTS',
  account: { key, attributes: {} },
  idmObject: null,
});
const system = { id: 's', name: 'HR', type: 'csv', trusted: true, uniqueFieldKey: 'key' };

async function build(name: string, body: string) {
  return runnable(await compileInline(name, population(body)));
}

const values = (results: Array<{ ok: boolean; value?: unknown }>) =>
  results.map((result) => (result.ok ? result.value : result));

describe('shared fields', () => {
  it('gives every input the shared fields, replacing an input field of the same name', async () => {
    const policy = await build(
      'shared-echo.ts',
      'return { key: ctx.account.key, system: ctx.system.name, tier: (ctx.vars as any).tier, situation: ctx.situation, keys: Object.keys(ctx).sort().join() };',
    );
    const own = { ...record('b'), vars: { tier: 'own' } };
    const results = await executor.execute(policy, 'default', [record('a'), own], {
      shared: { system, vars: { tier: 'gold' } },
    });
    const expected = (key: string) => ({
      key,
      system: 'HR',
      tier: 'gold',
      situation: 'IDM_NOT_EXISTS__RESOURCE_EXISTS',
      keys: 'account,idmObject,situation,system,vars',
    });
    expect(values(results)).toEqual([expected('a'), expected('b')]);
  });

  it("keeps one record's changes to its shared fields from every other record, in a batch and across batches", async () => {
    const policy = await build(
      'shared-mutate.ts',
      `const vars = ctx.vars as any;
const seen = vars.list.length;
vars.list.push(ctx.account.key);
vars.nested.deep.count++;
(ctx.system as any).name = 'changed by ' + ctx.account.key;
return { seen, count: vars.nested.deep.count };`,
    );
    const shared = { system, vars: { list: [], nested: { deep: { count: 0 } } } };
    const inputs = ['a', 'b', 'c', 'd', 'e'].map(record);
    for (const batchSize of [5, 2]) {
      const results = await executor.execute(policy, 'default', inputs, { shared, batchSize });
      expect(values(results)).toEqual(inputs.map(() => ({ seen: 0, count: 1 })));
    }
    expect(shared).toEqual({ system, vars: { list: [], nested: { deep: { count: 0 } } } });
  });

  it('copies shared keys named like Object.prototype members as plain data, polluting nothing', async () => {
    const policy = await build(
      'shared-proto.ts',
      `const vars = ctx.vars as any;
return {
  ownProto: Object.hasOwn(vars, '__proto__'),
  inherited: String(vars.isAdmin),
  polluted: String(({} as any).isAdmin),
  constructorField: (ctx as any).constructor,
};`,
    );
    const vars = JSON.parse('{"__proto__": {"isAdmin": true}}');
    const results = await executor.execute(policy, 'default', [record('a'), record('b')], {
      shared: { vars, constructor: 'plain' },
    });
    const expected = {
      ownProto: true,
      inherited: 'undefined',
      polluted: 'undefined',
      constructorField: 'plain',
    };
    expect(values(results)).toEqual([expected, expected]);
  });

  it('refuses inputs that are not objects, and a shared value that is not one', async () => {
    const policy = await build('shared-any.ts', 'return {};');
    await expect(
      executor.execute(policy, 'default', [record('a'), 'text'], { shared: { system } }),
    ).rejects.toThrow('with shared fields, every input must be an object');
    await expect(
      executor.execute(policy, 'default', [record('a')], {
        shared: [] as unknown as Record<string, unknown>,
      }),
    ).rejects.toThrow('shared must be an object');
  });
});
