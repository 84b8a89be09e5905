import { eq } from 'drizzle-orm';
import {
  type PolicyBudget,
  PolicyError,
  type PolicyKind,
  type PolicyResult,
  type PolicyRunner,
} from '../core/policy-port.ts';
import type { Database } from '../db/client.ts';
import { policies, policyBuilds } from '../db/schema/policies.ts';
import { createExecutor, type Executor, type RunnableBuild } from './execute.ts';
import { createSandbox, defaultWorkers, type Sandbox } from './supervisor.ts';

export type SandboxConfig = {
  memoryMb: number;
  timeoutMs: number;
  runCpuMs: number;
  /** Worker processes (default `defaultWorkers`: two where there are two cores). */
  workers?: number;
};

/** The PolicyRunner over stored policies, plus what the server and tests need around it. */
export type PolicyService = PolicyRunner & {
  /** A fresh CPU budget for one run (config SANDBOX_RUN_CPU_MS). */
  createBudget(): PolicyBudget;
  /** The stored policy's clean build (a PolicyError `not_found`, `wrong_kind`, … otherwise). */
  loadBuild(path: string): Promise<RunnableBuild>;
  /** Runs builds directly (sample runs from `POST /api/policies/test`). */
  executor: Executor;
  sandbox: Sandbox;
  close(): Promise<void>;
};

/**
 * Looks policies up by path in the database on every call (a saved change takes effect at the
 * next batch) and keeps their compiled code by content hash. Workers start on their first call.
 */
export function createPolicyRunner(db: Database, config: SandboxConfig): PolicyService {
  const sandbox = createSandbox({
    memoryMb: config.memoryMb,
    timeoutMs: config.timeoutMs,
    workers: config.workers ?? defaultWorkers,
  });
  const executor = createExecutor(sandbox);
  const builds = new Map<string, RunnableBuild>();

  async function buildFor(path: string): Promise<RunnableBuild> {
    const [row] = await db.orm
      .select({ hash: policies.hash, kind: policyBuilds.kind })
      .from(policies)
      .leftJoin(policyBuilds, eq(policyBuilds.hash, policies.hash))
      .where(eq(policies.path, path));
    if (!row)
      throw new PolicyError({ kind: 'not_found', policy: path, message: 'no policy is saved at this path' });
    const cached = builds.get(row.hash);
    if (cached && cached.path === path) return cached;
    const [stored] = await db.orm
      .select({ code: policyBuilds.code, sourceMap: policyBuilds.sourceMap, kind: policyBuilds.kind })
      .from(policyBuilds)
      .where(eq(policyBuilds.hash, row.hash));
    if (stored?.code && !stored.kind) {
      throw new PolicyError({
        kind: 'wrong_kind',
        policy: path,
        message: 'is a helper module (no default export), not a policy',
      });
    }
    if (!stored?.code || !stored.sourceMap || !stored.kind) {
      throw new PolicyError({
        kind: 'compile',
        policy: path,
        message: 'the saved policy has no clean build; save it again',
      });
    }
    const build = {
      path,
      hash: row.hash,
      kind: stored.kind as PolicyKind,
      code: stored.code,
      sourceMap: stored.sourceMap,
    };
    builds.set(row.hash, build);
    return build;
  }

  return {
    async kindOf(path) {
      return (await buildFor(path)).kind;
    },
    async call(path, kind, fn, inputs, options) {
      const build = await buildFor(path);
      if (build.kind !== kind) {
        throw new PolicyError({
          kind: 'wrong_kind',
          policy: path,
          message: `is a ${build.kind} policy, not a ${kind} policy`,
        });
      }
      // The executor checked every output against the shape of `kind`/`fn`.
      return (await executor.execute(build, fn, inputs, options)) as Array<PolicyResult<never>>;
    },
    createBudget: () => ({ limitMs: config.runCpuMs, spentMs: 0 }),
    loadBuild: buildFor,
    executor,
    sandbox,
    close: () => sandbox.close(),
  };
}
