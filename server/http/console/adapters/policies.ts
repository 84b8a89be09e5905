import type { PolicyErrorInfo } from '../../../core/policy-port.ts';
import { PolicyError } from '../../../core/policy-port.ts';
import type { Diagnostic } from '../../../db/schema/policies.ts';
import type { Services } from '../../../main.ts';
import { checkPolicyPath, getPolicy, listPolicies, savePolicy } from '../../../sandbox/index.ts';
import { runSample, SampleInputError } from '../../../sandbox/sample-input.ts';
import type { Invalid, NotFound } from './outcome.ts';

/** Policies for the console: the same save-and-compile and sample run as POST /api/policies. */
export type PolicyListItem = { path: string; kind: string | null; hash: string; updatedAt: Date };
export type PolicySource = PolicyListItem & { source: string; diagnostics: Diagnostic[] };

export type SavePolicyOutcome =
  | { outcome: 'saved'; kind: string | null; hash: string; diagnostics: Diagnostic[] }
  | { outcome: 'does_not_compile'; diagnostics: Diagnostic[] }
  | Invalid;

export type SampleRunOutcome =
  | { outcome: 'output'; kind: string; output: unknown }
  | { outcome: 'policy_failed'; error: PolicyErrorInfo }
  | Invalid
  | NotFound;

export function policiesAdapter(services: Services) {
  const { db } = services;
  return {
    list: (): Promise<PolicyListItem[]> => listPolicies(db),

    async get(path: string): Promise<PolicySource | null> {
      if (checkPolicyPath(path)) return null;
      return (await getPolicy(db, path)) ?? null;
    },

    async save(path: string, source: string): Promise<SavePolicyOutcome> {
      const problem = checkPolicyPath(path);
      if (problem) return { outcome: 'invalid', path: 'path', message: problem };
      const saved = await savePolicy(db, path, source);
      return saved.saved
        ? { outcome: 'saved', kind: saved.kind, hash: saved.hash, diagnostics: saved.diagnostics }
        : { outcome: 'does_not_compile', diagnostics: saved.diagnostics };
    },

    async runSample(path: string, input: unknown): Promise<SampleRunOutcome> {
      try {
        const build = await services.policies.loadBuild(path);
        const result = await runSample(services.policies.executor, build, input ?? {});
        return result.ok
          ? { outcome: 'output', kind: build.kind ?? 'module', output: result.output }
          : { outcome: 'policy_failed', error: result.error };
      } catch (error) {
        if (error instanceof SampleInputError)
          return { outcome: 'invalid', path: 'input', message: error.message };
        if (error instanceof PolicyError && error.info.kind === 'not_found') return { outcome: 'not_found' };
        if (error instanceof PolicyError) return { outcome: 'policy_failed', error: error.info };
        throw error;
      }
    },
  };
}
