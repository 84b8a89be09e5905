import type {
  PolicyCallOptions,
  PolicyFunction,
  PolicyInput,
  PolicyKind,
  PolicyOutput,
  PolicyResult,
  PolicyRunner,
} from './policy-port.ts';
import { PolicyError } from './policy-port.ts';

/** Chunk size of policy calls: bounds the memory of one call whatever the run's size. */
const chunkSize = 5000;

/** Calls a policy on many inputs, in chunks; a run naming a policy needs a policy runner. */
export async function callPolicy<K extends PolicyKind, F extends PolicyFunction<K>>(
  runner: PolicyRunner | null,
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
  runner: PolicyRunner | null,
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
