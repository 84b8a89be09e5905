/**
 * Policies called in this process, for the benchmarks' "in-process" figures: the same compiled
 * bundle the sandbox runs, evaluated here with a minimal `trueup:policy`. No isolate, no worker,
 * no JSON crossing, no output check, no fixed clock or seeded Math.random, no fresh module per
 * batch: the bare cost of the policy functions, which is what the sandbox's cost is measured
 * against. Benchmark-only: never a way to run integrator code in a server.
 */
import {
  PolicyError,
  type PolicyKind,
  type PolicyResult,
  type PolicyRunner,
  type PolicySession,
} from '../server/core/policy-port.ts';
import type { RunnableBuild } from '../server/sandbox/execute.ts';
import { policyVersionOf } from '../server/sandbox/runner.ts';

export type PolicyFunctions = Record<string, (input: unknown) => unknown>;

type Rule = {
  accountKeys(account: unknown): unknown;
  idmKeys(user: unknown): unknown;
  score?(account: unknown, candidate: unknown): unknown;
};

/** The bundle's functions by name, as the sandbox prelude defines them (worker/prelude.js). */
export function evaluatePolicyInProcess(bundle: RunnableBuild): PolicyFunctions {
  const single = (fn: (ctx: unknown) => unknown) => ({ fns: { default: fn } });
  const defineMatchingRule = (rule: Rule) => {
    const fns: PolicyFunctions = {
      accountKeys: (account) => rule.accountKeys(account),
      idmKeys: (user) => rule.idmKeys(user),
    };
    const { score } = rule;
    if (score) {
      fns.score = (input) => {
        const { account, candidate } = input as { account: unknown; candidate: unknown };
        return score(account, candidate);
      };
    }
    return { fns };
  };
  const sdk = {
    defineTargetQuery: single,
    defineIdmQuery: single,
    defineMatchingRule,
    definePopulation: single,
    defineOutboundMapping: single,
    definePreProcessor: single,
    definePostProcessor: single,
    defineSituationCommand: single,
    defineCustomProcessor: single,
    log: { debug() {}, info() {}, warn() {}, error() {} },
  };
  const evaluate = new Function('globalThis', `${bundle.code}\nreturn __trueupPolicyModule;`);
  return (evaluate({ __trueupSdk: sdk }) as { default: { fns: PolicyFunctions } }).default.fns;
}

/**
 * A PolicyRunner over `loadBuild` (the sandboxed runner's, which reads the stored builds) that
 * calls every policy in this process. A run pins each policy's build on its first load.
 */
export function createInProcessPolicyRunner(
  loadBuild: (path: string) => Promise<RunnableBuild>,
): PolicyRunner {
  const modules = new Map<string, PolicyFunctions>();
  const functionsOf = (build: RunnableBuild) => {
    let fns = modules.get(build.hash);
    if (!fns) {
      fns = evaluatePolicyInProcess(build);
      modules.set(build.hash, fns);
    }
    return fns;
  };

  function callBuild(build: RunnableBuild, kind: PolicyKind, fn: string, inputs: unknown[]) {
    if (build.kind !== kind) {
      const message = `is a ${build.kind} policy, not a ${kind} policy`;
      throw new PolicyError({ kind: 'wrong_kind', policy: build.path, message });
    }
    const call = functionsOf(build)[fn];
    if (!call) {
      const message = `a ${build.kind} policy has no "${fn}" function`;
      throw new PolicyError({ kind: 'not_found', policy: build.path, message });
    }
    return inputs.map((input): PolicyResult<unknown> => {
      try {
        return { ok: true, value: call(input) };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return { ok: false, error: { kind: 'thrown', policy: build.path, message } };
      }
    });
  }

  const callerOver = (buildFor: (path: string) => Promise<RunnableBuild>) => ({
    kindOf: async (path: string) => (await buildFor(path)).kind,
    call: async <K extends PolicyKind>(path: string, kind: K, fn: string, inputs: unknown[]) =>
      callBuild(await buildFor(path), kind, fn, inputs) as Array<PolicyResult<never>>,
  });

  return {
    ...callerOver(loadBuild),
    async forRun(options): Promise<PolicySession> {
      const pinned = new Map<string, RunnableBuild>();
      const buildFor = async (path: string) => {
        let build = pinned.get(path);
        if (!build) {
          build = await loadBuild(path);
          pinned.set(path, build);
        }
        return build;
      };
      // As the sandboxed runner does: a path that is not saved fails at its first call, not here.
      for (const path of options.paths) {
        await buildFor(path).catch((error) => {
          if (!(error instanceof PolicyError)) throw error;
        });
      }
      return {
        ...callerOver(buildFor),
        versionOf: async (path) => policyVersionOf(await buildFor(path)),
        get pinned() {
          return [...pinned.values()].map((build) => ({ path: build.path, hash: build.hash }));
        },
        finish: async () => {},
      };
    },
  };
}
