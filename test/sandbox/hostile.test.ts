import { afterAll, describe, expect, it } from 'vitest';
import type { PolicyErrorKind } from '../../server/core/policy-port.ts';
import { createExecutor } from '../../server/sandbox/execute.ts';
import { createSandbox } from '../../server/sandbox/supervisor.ts';
import { compileInline, outcome, population, runnable } from './inline-policy.ts';

/**
 * The hostile-policy table (issue 3, item 6). Every case must end in the right clear error, with
 * the host alive and the next policy call working.
 */
const sandbox = createSandbox({ memoryMb: 32, timeoutMs: 3000 });
const executor = createExecutor(sandbox);
// A memory bomb must meet the memory limit before the time limit, however loaded the machine.
const roomySandbox = createSandbox({ memoryMb: 32, timeoutMs: 60_000 });
const roomyExecutor = createExecutor(roomySandbox);
afterAll(() => Promise.all([sandbox.close(), roomySandbox.close()]));

const input = () => ({
  situation: 'IDM_NOT_EXISTS__RESOURCE_EXISTS',
  account: { key: 'e1', attributes: { mail: 'ada@example.com' } },
  idmObject: null,
  system: { id: 's', name: 'HR', type: 'csv', trusted: true, uniqueFieldKey: 'key' },
  vars: {},
});

async function expectHealthy() {
  const build = runnable(await compileInline('healthy.ts', population(`return { key: ctx.account.key };`)));
  expect(await outcome(executor, build, input())).toEqual({ value: { key: 'e1' } });
}

type RunCase = { name: string; source: string; kind: PolicyErrorKind; message: RegExp; line?: number };

const runtimeCases: RunCase[] = [
  {
    name: 'while(true) in the function',
    source: population('while (true) {}'),
    kind: 'timeout',
    message: /did not finish within 3000 ms; record 0/,
  },
  {
    name: 'while(true) at top level',
    source: population('return {};', 'while (true) {}'),
    kind: 'timeout',
    message: /did not finish within 3000 ms while loading \(top-level code\)/,
  },
  {
    name: 'array memory bomb',
    source: population('const a: number[] = [];\nwhile (true) a.push(1, 2, 3, 4);'),
    kind: 'memory',
    message: /memory/,
  },
  {
    name: 'string memory bomb',
    source: population('let s = "x";\nwhile (true) s += s;'),
    kind: 'memory',
    message: /memory|Invalid string length/,
  },
  {
    name: 'Map growth memory bomb (V8 aborts the worker)',
    source: population('const m = new Map<number, number>();\nlet i = 0;\nwhile (true) m.set(i++, i);'),
    kind: 'memory',
    message: /memory/,
  },
  {
    name: 'object keys memory bomb',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the policy's own source, with its own template literal
    source: population('const o: Record<string, number> = {};\nlet i = 0;\nwhile (true) o[`k${i++}`] = i;'),
    kind: 'memory',
    message: /memory/,
  },
  {
    name: 'ArrayBuffer memory bomb',
    source: population('const a: ArrayBuffer[] = [];\nwhile (true) a.push(new ArrayBuffer(1 << 20));'),
    kind: 'memory',
    message: /memory|Array buffer allocation failed/,
  },
  {
    name: 'require',
    source: population('(globalThis as any).require("node:fs");\nreturn {};'),
    kind: 'thrown',
    message: /TypeError: .*require.* is not a function/,
    line: 4,
  },
  {
    name: 'process',
    source: population('return { env: JSON.stringify((globalThis as any).process.env) };'),
    kind: 'thrown',
    message: /TypeError: Cannot read properties of undefined/,
    line: 4,
  },
  {
    name: 'globalThis.constructor.constructor trick',
    source: population(
      'const f = (globalThis as any).constructor.constructor("return process");\nreturn { p: String(f()) };',
    ),
    kind: 'thrown',
    message: /ReferenceError: process is not defined/,
  },
  {
    name: 'Function constructor reaching for require',
    source: population('return { r: String(Function("return require")()) };'),
    kind: 'thrown',
    message: /ReferenceError: require is not defined/,
  },
  {
    name: 'fetch',
    source: population('(globalThis as any).fetch("http://127.0.0.1/");\nreturn {};'),
    kind: 'thrown',
    message: /fetch.* is not a function/,
  },
  {
    name: 'setTimeout',
    source: population('(globalThis as any).setTimeout(() => {}, 1);\nreturn {};'),
    kind: 'thrown',
    message: /setTimeout.* is not a function/,
  },
  {
    name: 'polluting the prototype of an input object',
    source: population('(ctx.account as any).__proto__.polluted = "yes";\nreturn {};'),
    kind: 'thrown',
    message: /TypeError: Cannot add property polluted, object is not extensible/,
    line: 4,
  },
  {
    name: 'replacing Object.prototype.toString',
    source: population('Object.prototype.toString = () => "pwned";\nreturn {};'),
    kind: 'thrown',
    message: /toString of a built-in prototype cannot be changed/,
  },
  {
    name: 'replacing Array.prototype.map',
    source: population('Array.prototype.map = () => [];\nreturn {};'),
    kind: 'thrown',
    message: /read only property 'map'/,
  },
  {
    name: 'replacing RegExp.prototype.exec (left unfrozen for speed, guarded instead)',
    source: population('RegExp.prototype.exec = () => null;\nreturn {};'),
    kind: 'thrown',
    message: /^the policy changed RegExp\.prototype/,
  },
  {
    name: 'adding to RegExp.prototype at top level',
    source: population('return {};', '(RegExp.prototype as any).extra = 1;'),
    kind: 'thrown',
    message: /changed RegExp\.prototype.* while loading/,
  },
  {
    name: 'returning a function',
    source: population('return (() => 1) as any;'),
    kind: 'shape',
    message: /a function is not JSON data/,
  },
  {
    name: 'returning a symbol',
    source: population('return { a: Symbol("x") } as any;'),
    kind: 'shape',
    message: /at result\.a: a symbol is not JSON data/,
  },
  {
    name: 'returning a cyclic object',
    source: population('const o: any = { a: "b" };\no.self = o;\nreturn o;'),
    kind: 'shape',
    message: /nested more than 64 levels deep \(is it cyclic\?\)/,
  },
  {
    name: 'returning a huge output',
    source: population('return { big: "x".repeat(2_000_000) };'),
    kind: 'shape',
    message: /larger than 1 MB/,
  },
  {
    name: 'returning a Promise',
    source: population('return Promise.resolve({}) as any;'),
    kind: 'shape',
    message: /policies are synchronous/,
  },
  {
    name: 'returning a nested object as an attribute',
    source: population('return { manager: { id: 1 } } as any;'),
    kind: 'shape',
    message: /at result\.manager: an attribute value must be/,
  },
  {
    name: 'returning nothing',
    source: population('return undefined as any;'),
    kind: 'shape',
    message: /undefined is not a result/,
  },
  {
    name: 'returning a __proto__ attribute',
    source: population('return JSON.parse(\'{"__proto__": {"isAdmin": true}}\');'),
    kind: 'shape',
    message: /a key named __proto__ is not allowed/,
  },
  {
    name: 'throwing a string',
    source: population('throw "no";'),
    kind: 'thrown',
    message: /a non-Error value was thrown: no/,
  },
  {
    name: 'a wrong default export that passes the typecheck',
    source: `export default { kind: 'population' as const };\n`,
    kind: 'thrown',
    message: /the default export is not a policy/,
  },
];

describe('hostile policies', () => {
  it.each(runtimeCases)('$name → $kind', async ({ name, source, kind, message, line }) => {
    const path = `${name.replace(/[^a-z0-9]+/gi, '-')}.ts`;
    const build = runnable(await compileInline(path, source));
    const ended = await outcome(kind === 'memory' ? roomyExecutor : executor, build, input());
    expect(ended).toHaveProperty('error');
    if (!('error' in ended)) return;
    expect(ended.error.kind).toBe(kind);
    expect(ended.error.message).toMatch(message);
    expect(ended.error.policy).toBe(path);
    if (line !== undefined) expect(ended.error.line).toBe(line);
    await expectHealthy();
  });

  it('throws away an isolate whose RegExp.prototype a policy changed, so the next batch is clean', async () => {
    const build = runnable(
      await compileInline(
        'regexp-tamper.ts',
        population(
          'if (ctx.account.key === "bad") RegExp.prototype[Symbol.split] = () => ["pwned"];\nreturn { parts: "a b".split(/ /) };',
        ),
      ),
    );
    const bad = { ...input(), account: { key: 'bad', attributes: {} } };
    const tampered = await outcome(executor, build, bad);
    expect(tampered).toMatchObject({ error: { kind: 'thrown', message: /changed RegExp\.prototype/ } });
    expect(await outcome(executor, build, input())).toEqual({ value: { parts: ['a', 'b'] } });
  });

  it('keeps policy code away from host data: inputs are copies, host prototypes untouched', async () => {
    const build = runnable(
      await compileInline(
        'mutate.ts',
        population(
          '(ctx.account.attributes as any).mail = "evil@example.com";\nreturn JSON.parse(\'{"__proto__": {"isAdmin": true}}\');',
        ),
      ),
    );
    const given = input();
    await outcome(executor, build, given);
    expect(given.account.attributes.mail).toBe('ada@example.com');
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('copies attributes named like Object.prototype members as plain data, runs a getter once', async () => {
    const build = runnable(
      await compileInline(
        'prototype-names.ts',
        population(
          'let reads = 0;\nconst out: any = { constructor: "c", toString: "t", hasOwnProperty: "h", "0": "zero" };\nObject.defineProperty(out, "reads", { enumerable: true, get: () => String(++reads) });\nreturn out;',
        ),
      ),
    );
    expect(await outcome(executor, build, input())).toEqual({
      value: { 0: 'zero', constructor: 'c', toString: 't', hasOwnProperty: 'h', reads: '1' },
    });
  });

  it('keeps 100 log lines per call, each cut at 2,000 characters, counts the rest, and refuses non-strings', async () => {
    const source = `import { definePopulation, log } from 'trueup:policy';
export default definePopulation((ctx) => {
  if (ctx.account.key === 'odd') log.info({ not: 'text' } as any);
  for (let i = 0; i < 150; i++) log.warn(i === 0 ? 'x'.repeat(5000) : \`line \${i}\`);
  return {};
});
`;
    const build = runnable(await compileInline('log-flood.ts', source));
    const logs: Array<{ level: string; message: string; index?: number }> = [];
    const odd = { ...input(), account: { key: 'odd', attributes: {} } };
    const results = await executor.execute(build, 'default', [input(), odd], { onLog: (l) => logs.push(l) });
    expect(results[0]).toEqual({ ok: true, value: {} });
    expect(results[1]).toMatchObject({
      ok: false,
      error: { kind: 'thrown', message: /expect a string message/ },
    });
    expect(logs).toHaveLength(101);
    expect(logs[0]).toMatchObject({ level: 'warn', index: 0 });
    expect(logs[0]!.message).toHaveLength(2000);
    expect(logs[99]).toMatchObject({ message: 'line 99', index: 0 });
    expect(logs[100]).toMatchObject({
      level: 'warn',
      message: '50 more log line(s) dropped: at most 100 per call',
    });
  });

  it('has no host or escape globals: require, process, fetch, timers, WebAssembly, the host callbacks', async () => {
    const names = [
      'require',
      'process',
      'fetch',
      'setTimeout',
      'setInterval',
      'WebAssembly',
      'SharedArrayBuffer',
      'Atomics',
      'console',
      '__trueupHostLog',
      '__trueupRunBatch',
      '__trueupAdopt',
    ];
    const build = runnable(
      await compileInline(
        'probe.ts',
        population(
          `const g = Function('return this')();\nreturn { found: ${JSON.stringify(names)}.filter((n) => typeof g[n] !== 'undefined') };`,
        ),
      ),
    );
    expect(await outcome(executor, build, input())).toEqual({ value: { found: [] } });
  });

  it('lets an Error subclass set its own name despite the frozen prototypes', async () => {
    const build = runnable(
      await compileInline(
        'subclass.ts',
        population(
          'throw new BadRecord("no email");',
          'class BadRecord extends Error {\n  constructor(m: string) {\n    super(m);\n    this.name = "BadRecord";\n  }\n}',
        ),
      ),
    );
    const ended = await outcome(executor, build, input());
    expect(ended).toMatchObject({ error: { kind: 'thrown', message: 'BadRecord: no email', line: 9 } });
  });

  it('shows the frames of a throw deep in an imported helper as file.ts:line', async () => {
    const helper =
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the helper's own source, with its own template literal
      'export function check(value: string, depth: number): string {\n  if (depth === 0) throw new Error(`bad value ${value}`);\n  return check(value, depth - 1);\n}\n';
    const build = runnable(
      await compileInline(
        'hr/deep.ts',
        population('return { v: check(ctx.account.key, 2) };', "import { check } from './lib.ts';"),
        { 'hr/lib.ts': helper },
      ),
    );
    const ended = await outcome(executor, build, input());
    expect(ended).toMatchObject({
      error: { kind: 'thrown', message: 'bad value e1', policy: 'hr/deep.ts', line: 4, column: 13 },
    });
    if (!('error' in ended)) return;
    expect(ended.error.stack?.split('\n')).toEqual([
      '    at check (hr/lib.ts:2:26)',
      '    at check (hr/lib.ts:3:10)',
      '    at check (hr/lib.ts:3:10)',
      '    at hr/deep.ts:4:13',
    ]);
  });

  it('restarts a killed worker: the running call fails as crashed, the queued one still runs', async () => {
    const slow = runnable(
      await compileInline(
        'slow.ts',
        // Spins until the 3000 ms call timeout; the kill below lands long before that.
        population('while (true) {}'),
      ),
    );
    const healthy = runnable(
      await compileInline('healthy.ts', population('return { key: ctx.account.key };')),
    );
    const before = sandbox.starts;
    const running = outcome(executor, slow, input());
    const queued = outcome(executor, healthy, input());
    await new Promise((resolve) => setTimeout(resolve, 150));
    process.kill(sandbox.pids[0]!, 'SIGKILL');
    expect(await running).toMatchObject({
      whole: true,
      error: { kind: 'crashed', message: /signal SIGKILL.*the next call will work/ },
    });
    expect(await queued).toEqual({ value: { key: 'e1' } });
    expect(sandbox.starts).toBe(before + 1);
  });
});

describe('hostile policies caught at compile time', () => {
  const cases = [
    {
      name: 'syntax error',
      source: population('return { a: 1 ;'),
      kind: 'compile',
      line: 4,
      message: /Expected "}" but found ";"/,
    },
    {
      name: 'import node:fs',
      source: `import fs from 'node:fs';\n${population('return { a: String(fs) };')}`,
      kind: 'import',
      line: 1,
      message: /import "node:fs" is not allowed/,
    },
    {
      name: 'dynamic import',
      source: population('void import("node:child_process");\nreturn {};'),
      kind: 'import',
      line: 4,
      message: /import "node:child_process" is not allowed/,
    },
    {
      name: 'require',
      source: population('require("fs");\nreturn {};'),
      kind: 'import',
      line: 4,
      message: /import "fs" is not allowed/,
    },
    {
      name: 'wrong default export',
      source: 'export default (ctx: unknown) => ({});\n',
      kind: 'type',
      line: 1,
      message: /the default export is not a policy/,
    },
    {
      name: 'wrong return type',
      source: population('return { a: new Date() };'),
      kind: 'type',
      line: 3,
      message: /not assignable/,
    },
  ] as const;
  it.each(cases)('$name → $kind diagnostic at line $line', async ({ source, kind, line, message }) => {
    const build = await compileInline('bad.ts', source);
    expect(build.code).toBeNull();
    expect(build.diagnostics[0]).toMatchObject({ kind, line, severity: 'error', file: 'bad.ts' });
    expect(build.diagnostics[0]!.message).toMatch(message);
  });
});
