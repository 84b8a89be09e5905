/**
 * The policy sandbox: compile on save (esbuild + the TypeScript typecheck, cached by content
 * hash), run in isolated-vm inside a supervised worker process. Nothing here loads isolated-vm:
 * only worker/ does, in the child process.
 */
export { compilePolicy, compilePolicyFile, hasErrors, type PolicyBuild } from './compile/compile.ts';
export { checkPolicyPath } from './compile/sources.ts';
export { createExecutor, type Executor, type RunnableBuild } from './execute.ts';
export { createPolicyRunner, type PolicyService, type SandboxConfig } from './runner.ts';
export {
  assertPolicyPath,
  getPolicy,
  listPolicies,
  type PolicyDetail,
  PolicyPathError,
  type PolicySummary,
  type SavedPolicy,
  savePolicy,
} from './store.ts';
export { createSandbox, type Sandbox } from './supervisor.ts';
