import { PolicyError, type PolicyErrorInfo, type PolicyKind, type PolicyLog } from '../core/policy-port.ts';
import type { Database } from '../db/client.ts';
import type { Diagnostic } from '../db/schema/policies.ts';
import { hasErrors } from '../sandbox/compile/compile.ts';
import { checkPolicyPath } from '../sandbox/compile/sources.ts';
import type { RunnableBuild } from '../sandbox/execute.ts';
import type { PolicyService } from '../sandbox/runner.ts';
import { runSample, SampleInputError } from '../sandbox/sample-input.ts';
import { compileUnsaved, getPolicy, listPolicies, savePolicy } from '../sandbox/store.ts';
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
  | { outcome: 'ran'; path: string; kind: PolicyKind; output: unknown; logs: PolicyLog[] }
  | { outcome: 'not_found'; error: PolicyErrorInfo }
  /** The policy cannot run (wrong kind, compile errors) or failed on the input. */
  | { outcome: 'policy_failed'; error: PolicyErrorInfo; logs: PolicyLog[] }
  /** The unsaved source given to run has errors: nothing ran. */
  | { outcome: 'compile_failed'; policy: CompiledPolicy }
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

    /**
     * Runs the policy at `path` once on `input` (its ctx, optional parts filled in): the saved
     * version, or `source` as if saved there (the editor's unsaved text), which is compiled but
     * not stored. The output comes with the lines the policy logged.
     */
    async test(path: string, input: unknown, source?: string): Promise<TestPolicyOutcome> {
      try {
        let build: RunnableBuild;
        if (source === undefined) build = await runner.loadBuild(path);
        else {
          const problem = checkPolicyPath(path);
          if (problem) return invalid('path', problem);
          const compiled = await compileUnsaved(db, path, source);
          const policy = {
            path,
            hash: compiled.hash,
            kind: compiled.kind,
            diagnostics: compiled.diagnostics,
          };
          if (hasErrors(compiled.diagnostics)) return { outcome: 'compile_failed', policy };
          if (!compiled.kind || !compiled.code || !compiled.sourceMap) {
            const message = 'is a helper module (no default export), not a policy';
            return {
              outcome: 'policy_failed',
              error: { kind: 'wrong_kind', policy: path, message },
              logs: [],
            };
          }
          build = {
            path,
            hash: compiled.hash,
            kind: compiled.kind,
            code: compiled.code,
            sourceMap: compiled.sourceMap,
          };
        }
        const ran = await runSample(runner.executor, build, input ?? {});
        return ran.ok
          ? { outcome: 'ran', path: build.path, kind: build.kind, output: ran.output, logs: ran.logs }
          : { outcome: 'policy_failed', error: ran.error, logs: ran.logs };
      } catch (error) {
        if (error instanceof SampleInputError) return invalid('input', error.message);
        if (error instanceof PolicyError) {
          return error.info.kind === 'not_found'
            ? { outcome: 'not_found', error: error.info }
            : { outcome: 'policy_failed', error: error.info, logs: [] };
        }
        throw error;
      }
    },
  };
}

export type PolicyLibrary = ReturnType<typeof createPolicyLibrary>;
