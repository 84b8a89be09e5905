import { PolicyError, type PolicyErrorInfo, type PolicyResult } from '../../server/core/policy-port.ts';
import { compilePolicy, type PolicyBuild } from '../../server/sandbox/compile/compile.ts';
import { storedKey, storedSources } from '../../server/sandbox/compile/sources.ts';
import type { Executor, RunnableBuild } from '../../server/sandbox/execute.ts';

/** Compiles `source` as the stored policy `path`; `others` are the stored files it may import. */
export function compileInline(
  path: string,
  source: string,
  others: Record<string, string> = {},
): Promise<PolicyBuild> {
  return compilePolicy(
    storedKey(path),
    storedSources(path, source, async (other) => others[other]),
  );
}

export function runnable(build: PolicyBuild): RunnableBuild {
  if (!build.code || !build.sourceMap || !build.kind) {
    throw new Error(`${build.path} did not compile: ${JSON.stringify(build.diagnostics)}`);
  }
  return {
    path: build.path,
    hash: build.hash,
    kind: build.kind,
    code: build.code,
    sourceMap: build.sourceMap,
  };
}

/** A population policy whose function body is `body`, with `top` as module-level code. */
export function population(body: string, top = ''): string {
  return `import { definePopulation } from 'trueup:policy';\n${top}\nexport default definePopulation((ctx) => {\n${body}\n});\n`;
}

/** Remembers in a module variable, a module Map, globalThis and globalThis's prototype. */
export const rememberingPolicy = population(
  `calls++;
seen.set(ctx.account.key, calls);
const g = globalThis as any;
g.total = (g.total ?? 0) + 1;
if (ctx.account.key === 'a') Object.setPrototypeOf(g, { planted: 'yes' });
return { calls, keys: seen.size, total: g.total, planted: String(g.planted), atLoad };`,
  `let calls = 0;
const seen = new Map<string, number>();
const atLoad = ((globalThis as any).loads = ((globalThis as any).loads ?? 0) + 1);`,
);

/** What one call of a one-record batch ended in: the value, or the error however it was reported. */
export async function outcome(
  executor: Executor,
  build: RunnableBuild,
  input: unknown,
): Promise<{ value: unknown } | { error: PolicyErrorInfo; whole: boolean }> {
  let results: Array<PolicyResult<unknown>>;
  try {
    results = await executor.execute(build, 'default', [input]);
  } catch (error) {
    if (error instanceof PolicyError) return { error: error.info, whole: true };
    throw error;
  }
  const [result] = results;
  if (!result) throw new Error('no result');
  return result.ok ? { value: result.value } : { error: result.error, whole: false };
}
