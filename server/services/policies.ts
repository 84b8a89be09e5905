import type { PolicyKind } from '../core/policy-port.ts';
import { PolicyError, type PolicyErrorInfo } from '../core/policy-port.ts';
import type { Database } from '../db/client.ts';
import type { Diagnostic } from '../db/schema/policies.ts';
import { checkPolicyPath } from '../sandbox/compile/sources.ts';
import type { PolicyService } from '../sandbox/runner.ts';
import { runSample, SampleInputError } from '../sandbox/sample-input.ts';
import { getPolicy, listPolicies, savePolicy } from '../sandbox/store.ts';
import { type Invalid, invalid } from './outcomes.ts';

export type PolicySummaryView = { path: string; hash: string; kind: PolicyKind | null; updatedAt: string };
export type PolicyView = PolicySummaryView & { source: string; createdAt: string; diagnostics: Diagnostic[] };
export type CompiledPolicy = {
  path: string;
  hash: string;
  kind: PolicyKind | null;
  diagnostics: Diagnostic[];
};

export type SavePolicyOutcome =
  | { outcome: 'saved'; policy: CompiledPolicy }
  /** The source has errors: nothing was replaced, the previous version stays in force. */
  | { outcome: 'compile_failed'; policy: CompiledPolicy }
  | Invalid;

export type TestPolicyOutcome =
  | { outcome: 'ran'; path: string; kind: PolicyKind; output: unknown }
  | { outcome: 'not_found'; error: PolicyErrorInfo }
  /** The policy cannot run (wrong kind, compile errors) or failed on the input. */
  | { outcome: 'policy_failed'; error: PolicyErrorInfo }
  | Invalid;

/** Integrator policies: save (compile, typecheck) and read them, run one on a sample input. */
export function createPolicyLibrary({ db, runner }: { db: Database; runner: PolicyService }) {
  return {
    async save(path: string, source: string): Promise<SavePolicyOutcome> {
      const problem = checkPolicyPath(path);
      if (problem) return invalid('path', problem);
      const saved = await savePolicy(db, path, source);
      const policy = { path: saved.path, hash: saved.hash, kind: saved.kind, diagnostics: saved.diagnostics };
      return saved.saved ? { outcome: 'saved', policy } : { outcome: 'compile_failed', policy };
    },

    async list(): Promise<PolicySummaryView[]> {
      const rows = await listPolicies(db);
      return rows.map((row) => ({
        ...row,
        kind: row.kind as PolicyKind | null,
        updatedAt: row.updatedAt.toISOString(),
      }));
    },

    async get(
      path: string,
    ): Promise<{ outcome: 'found'; policy: PolicyView } | { outcome: 'not_found' } | Invalid> {
      const problem = checkPolicyPath(path);
      if (problem) return invalid('path', problem);
      const row = await getPolicy(db, path);
      if (!row) return { outcome: 'not_found' };
      return {
        outcome: 'found',
        policy: {
          ...row,
          kind: row.kind as PolicyKind | null,
          createdAt: row.createdAt.toISOString(),
          updatedAt: row.updatedAt.toISOString(),
        },
      };
    },

    /** Runs the saved policy at `path` once on `input` (its ctx, optional parts filled in). */
    async test(path: string, input: unknown): Promise<TestPolicyOutcome> {
      try {
        const build = await runner.loadBuild(path);
        const ran = await runSample(runner.executor, build, input ?? {});
        return ran.ok
          ? { outcome: 'ran', path: build.path, kind: build.kind, output: ran.output }
          : { outcome: 'policy_failed', error: ran.error };
      } catch (error) {
        if (error instanceof SampleInputError) return invalid('input', error.message);
        if (error instanceof PolicyError) {
          return error.info.kind === 'not_found'
            ? { outcome: 'not_found', error: error.info }
            : { outcome: 'policy_failed', error: error.info };
        }
        throw error;
      }
    },
  };
}

export type PolicyLibrary = ReturnType<typeof createPolicyLibrary>;
