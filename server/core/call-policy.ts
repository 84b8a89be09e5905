import type { EngineDeps, RunDeps, RunView } from './engine-deps.ts';
import type {
  PolicyCaller,
  PolicyCallOptions,
  PolicyFunction,
  PolicyInput,
  PolicyKind,
  PolicyOutput,
  PolicyResult,
  PolicySession,
} from './policy-port.ts';
import { PolicyError } from './policy-port.ts';
import type { EngineConfig } from './recon-config.ts';

/** Chunk size of policy calls: bounds the memory of one call whatever the run's size. */
const chunkSize = 5000;

/** Calls a policy on many inputs, in chunks; a run naming a policy needs a policy runner. */
export async function callPolicy<K extends PolicyKind, F extends PolicyFunction<K>>(
  runner: PolicyCaller | null,
  path: string,
  kind: K,
  fn: F,
  inputs: Array<PolicyInput<K, F>>,
  options?: PolicyCallOptions,
): Promise<Array<PolicyResult<PolicyOutput<K, F>>>> {
  if (!runner) {
    throw new PolicyError({ kind: 'not_found', policy: path, message: 'no policy runner is configured' });
  }
  const results: Array<PolicyResult<PolicyOutput<K, F>>> = [];
  for (let i = 0; i < inputs.length; i += chunkSize) {
    results.push(...(await runner.call(path, kind, fn, inputs.slice(i, i + chunkSize), options)));
  }
  return results;
}

/** One-input calls (pre-processor, queries) either give their value or fail the run. */
export async function callPolicyOnce<K extends PolicyKind, F extends PolicyFunction<K>>(
  runner: PolicyCaller | null,
  path: string,
  kind: K,
  fn: F,
  input: PolicyInput<K, F>,
  options?: PolicyCallOptions,
): Promise<PolicyOutput<K, F>> {
  const [result] = await callPolicy(runner, path, kind, fn, [input], options);
  if (!result)
    throw new PolicyError({ kind: 'shape', policy: path, message: 'the policy returned no result' });
  if (!result.ok) throw new PolicyError(result.error);
  return result.value;
}

/** Every policy a config names, each once. */
export function policyPathsOf(config: EngineConfig): string[] {
  const paths = [
    config.targetQueryPolicy,
    config.idmQueryPolicy,
    config.matchingPolicy,
    config.preProcessorPolicy,
    config.postProcessorPolicy,
    config.customProcessorPolicy,
    typeof config.system.outboundMapping === 'string' ? config.system.outboundMapping : null,
    ...Object.values(config.situations).flatMap((rule) => [rule?.populationPolicy, rule?.commandPolicy]),
  ];
  return [...new Set(paths.filter((path): path is string => typeof path === 'string' && path !== ''))];
}

/**
 * Opens the run's policy session (versions pinned, CPU budget, log lines to the run's events)
 * and records the pinned versions on the run. The stages of the run get `deps` with the session
 * in place of the runner; `finish` must run however the run ends.
 */
export async function openRunPolicies(
  run: RunView & { policies?: Array<{ path: string; hash: string }> | null },
  config: EngineConfig,
  deps: EngineDeps,
  now: number,
): Promise<{ deps: RunDeps; finish(): Promise<void> }> {
  const session: PolicySession | null = deps.policies
    ? await deps.policies.forRun({
        runId: run.id,
        paths: policyPathsOf(config),
        ...(run.policies ? { pinned: run.policies } : {}),
        now,
      })
    : null;
  if (session) await deps.store.updateRun(run.id, { policies: session.pinned });
  return { deps: { ...deps, policies: session }, finish: async () => session?.finish() };
}
