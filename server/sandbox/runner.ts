import { eq, inArray } from 'drizzle-orm';
import {
  type PinnedPolicy,
  type PolicyBudget,
  type PolicyCallOptions,
  PolicyError,
  type PolicyKind,
  type PolicyResult,
  type PolicyRunner,
  type PolicySession,
  type PolicyVersion,
  type RunPolicyOptions,
} from '../core/policy-port.ts';
import type { Database } from '../db/client.ts';
import { policies, policyBuilds } from '../db/schema/policies.ts';
import { createExecutor, type Executor, type RunnableBuild } from './execute.ts';
import { createRunLogs } from './policy-logs.ts';
import { splitShared } from './shared-fields.ts';
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
  /**
   * A runner whose run sessions call these unsaved builds at their paths (a replay's new policy
   * versions) and store no log lines: a replay writes nothing.
   */
  replaying(builds: RunnableBuild[]): PolicyRunner;
  sandbox: Sandbox;
  close(): Promise<void>;
};

/**
 * Code that names the clock or randomness may read them. Conservative: a mention in a comment or
 * a string counts too, which only costs reuse, never correctness.
 */
const readsClockOrRandom = /\bDate\b|\brandom\b|\bperformance\b/;

/** A build's version as a run sees it (core/policy-port.ts PolicyVersion). */
export const policyVersionOf = (build: RunnableBuild): PolicyVersion => ({
  path: build.path,
  hash: build.hash,
  inputOnly: !readsClockOrRandom.test(build.code),
});

const notSaved = (path: string) =>
  new PolicyError({ kind: 'not_found', policy: path, message: 'no policy is saved at this path' });

/**
 * Outside a run, looks policies up by path on every call (a saved change takes effect at the next
 * call); a run's session (`forRun`) calls the versions pinned when the run started. Compiled code
 * is kept by content hash. Workers start on their first call.
 */
export function createPolicyRunner(db: Database, config: SandboxConfig): PolicyService {
  const sandbox = createSandbox({
    memoryMb: config.memoryMb,
    timeoutMs: config.timeoutMs,
    workers: config.workers ?? defaultWorkers,
  });
  const executor = createExecutor(sandbox);
  const builds = new Map<string, RunnableBuild>();

  async function currentHash(path: string): Promise<string> {
    const [row] = await db.orm.select({ hash: policies.hash }).from(policies).where(eq(policies.path, path));
    if (!row) throw notSaved(path);
    return row.hash;
  }

  async function buildOf(path: string, hash: string): Promise<RunnableBuild> {
    const cached = builds.get(hash);
    if (cached && cached.path === path) return cached;
    const [stored] = await db.orm
      .select({ code: policyBuilds.code, sourceMap: policyBuilds.sourceMap, kind: policyBuilds.kind })
      .from(policyBuilds)
      .where(eq(policyBuilds.hash, hash));
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
      hash,
      kind: stored.kind as PolicyKind,
      code: stored.code,
      sourceMap: stored.sourceMap,
    };
    builds.set(hash, build);
    return build;
  }

  async function callBuild(
    build: RunnableBuild,
    kind: PolicyKind,
    fn: string,
    inputs: unknown[],
    options: PolicyCallOptions | undefined,
  ) {
    if (build.kind !== kind) {
      throw new PolicyError({
        kind: 'wrong_kind',
        policy: build.path,
        message: `is a ${build.kind} policy, not a ${kind} policy`,
      });
    }
    const split = splitShared(inputs);
    // The executor checked every output against the shape of `kind`/`fn`.
    return (await executor.execute(build, fn, split.inputs, {
      ...options,
      ...(split.shared ? { shared: split.shared } : {}),
    })) as Array<PolicyResult<never>>;
  }

  const loadBuild = async (path: string) => buildOf(path, await currentHash(path));

  async function pin(paths: string[], before: PinnedPolicy[] = []): Promise<Map<string, string>> {
    const pinned = new Map(before.map((p) => [p.path, p.hash]));
    const rest = paths.filter((path) => !pinned.has(path));
    if (rest.length > 0) {
      const rows = await db.orm
        .select({ path: policies.path, hash: policies.hash })
        .from(policies)
        .where(inArray(policies.path, rest));
      for (const row of rows) pinned.set(row.path, row.hash);
    }
    return pinned;
  }

  /**
   * A run's session: versions pinned when it starts (`overrides` win), a CPU budget, and its log
   * lines stored with the run's events unless `keepLogs` is false.
   */
  async function openSession(
    options: RunPolicyOptions,
    overrides: Map<string, RunnableBuild>,
    keepLogs: boolean,
  ): Promise<PolicySession> {
    const pinned = await pin(options.paths, options.pinned);
    for (const build of overrides.values()) pinned.set(build.path, build.hash);
    const budget: PolicyBudget = { limitMs: options.budgetMs ?? config.runCpuMs, spentMs: 0 };
    const logs = keepLogs ? createRunLogs(db, options.runId) : null;
    // A path the config did not name when the run started runs the version of its first call.
    const buildFor = async (path: string) => {
      const override = overrides.get(path);
      if (override) return override;
      let hash = pinned.get(path);
      if (hash === undefined) {
        hash = await currentHash(path);
        pinned.set(path, hash);
      }
      return buildOf(path, hash);
    };
    return {
      get pinned() {
        return [...pinned].map(([path, hash]) => ({ path, hash }));
      },
      async kindOf(path) {
        return (await buildFor(path)).kind;
      },
      versionOf: async (path) => policyVersionOf(await buildFor(path)),
      async call(path, kind, fn, inputs, callOptions) {
        const written: Array<Parameters<NonNullable<typeof logs>['add']>> = [];
        try {
          return await callBuild(await buildFor(path), kind, fn, inputs, {
            ...(options.now === undefined ? {} : { now: options.now }),
            ...callOptions,
            budget,
            onLog: (log) => {
              written.push([log, log.index === undefined ? undefined : inputs[log.index]]);
              callOptions?.onLog?.(log);
            },
          });
        } finally {
          for (const [log, input] of written) await logs?.add(log, input);
        }
      },
      finish: async () => logs?.finish(),
    };
  }

  return {
    async kindOf(path) {
      return (await loadBuild(path)).kind;
    },
    async call(path, kind, fn, inputs, options) {
      return callBuild(await loadBuild(path), kind, fn, inputs, options);
    },
    forRun: (options) => openSession(options, new Map(), true),
    createBudget: () => ({ limitMs: config.runCpuMs, spentMs: 0 }),
    loadBuild,
    executor,
    replaying(replayed) {
      const byPath = new Map(replayed.map((build) => [build.path, build]));
      return {
        kindOf: async (path) => byPath.get(path)?.kind ?? (await loadBuild(path)).kind,
        async call(path, kind, fn, inputs, options) {
          return callBuild(byPath.get(path) ?? (await loadBuild(path)), kind, fn, inputs, options);
        },
        forRun: (options) => openSession(options, byPath, false),
      };
    },
    sandbox,
    close: () => sandbox.close(),
  };
}
