import type { z } from 'zod';
import {
  type commandAction,
  type correlatedPair,
  type customDecision,
  type customProcessorContext,
  type idmQueryContext,
  type outboundMappingContext,
  type policyContract,
  policyKinds,
  type populationContext,
  type postProcessorContext,
  type preProcessorContext,
  type runSummaryView,
  type situationCommandContext,
  type targetQueryContext,
  type vars,
} from './policy-contract.ts';

/**
 * How the engine calls integrator policies. The sandbox (server/sandbox/) implements it; the
 * engine only knows these shapes, inferred from the one contract (policy-contract.ts). Every call
 * carries a batch: one crossing per batch, never per record. Outputs come back validated, one
 * per input, in input order.
 */
export { policyKinds };
export type PolicyKind = (typeof policyKinds)[number];

export type Vars = z.output<typeof vars>;
export type TargetQueryContext = z.output<typeof targetQueryContext>;
export type IdmQueryContext = z.output<typeof idmQueryContext>;
export type PopulationContext = z.output<typeof populationContext>;
export type OutboundMappingContext = z.output<typeof outboundMappingContext>;
export type PreProcessorContext = z.output<typeof preProcessorContext>;
export type RunSummaryView = z.output<typeof runSummaryView>;
export type PostProcessorContext = z.output<typeof postProcessorContext>;
export type SituationCommandContext = z.output<typeof situationCommandContext>;
export type CorrelatedPair = z.output<typeof correlatedPair>;
export type CustomProcessorContext = z.output<typeof customProcessorContext>;
/** An action a situation command asks for; `patch` is the IDM patch or the account patch. */
export type CommandAction = z.output<typeof commandAction>;
export type CustomDecision = z.output<typeof customDecision>;

type Contract = typeof policyContract;
/** Input and output of each callable function of each kind. */
export type PolicyCalls = {
  [K in PolicyKind]: {
    [F in keyof Contract[K]]: Contract[K][F] extends {
      input: infer I extends z.ZodType;
      output: infer O extends z.ZodType;
    }
      ? [z.output<I>, z.output<O>]
      : never;
  };
};
export type PolicyFunction<K extends PolicyKind> = keyof PolicyCalls[K] & string;
type Call<K extends PolicyKind, F extends PolicyFunction<K>> = PolicyCalls[K][F] extends [infer I, infer O]
  ? { input: I; output: O }
  : never;
export type PolicyInput<K extends PolicyKind, F extends PolicyFunction<K>> = Call<K, F>['input'];
export type PolicyOutput<K extends PolicyKind, F extends PolicyFunction<K>> = Call<K, F>['output'];

export const policyErrorKinds = [
  'compile',
  'type',
  'import',
  'timeout',
  'memory',
  'thrown',
  'shape',
  'not_found',
  'wrong_kind',
  'crashed',
  'budget',
] as const;
export type PolicyErrorKind = (typeof policyErrorKinds)[number];

/** Where a policy failed, in the integrator's own TypeScript (source-mapped). */
export type PolicyErrorInfo = {
  kind: PolicyErrorKind;
  policy: string;
  line?: number;
  column?: number;
  message: string;
  stack?: string;
};

export class PolicyError extends Error {
  override name = 'PolicyError';
  readonly info: PolicyErrorInfo;
  constructor(info: PolicyErrorInfo) {
    const where = info.line ? `${info.policy}:${info.line}:${info.column ?? 0}` : info.policy;
    super(`${where}: ${info.kind} error: ${info.message}`);
    this.info = info;
  }
}

/** One output per input: a failure in one record does not sink the batch. */
export type PolicyResult<T> = { ok: true; value: T } | { ok: false; error: PolicyErrorInfo };

/**
 * A log line a policy wrote during a call. `index` is the input it was written for (its position
 * in the call's inputs); `file`/`line`/`column` are where, in the policy's own TypeScript.
 */
export type PolicyLog = {
  policy: string;
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  index?: number;
  file?: string;
  line?: number;
  column?: number;
};

/**
 * A run's policy CPU budget: the runner adds each batch's isolate CPU time to `spentMs`; the
 * batch that crosses `limitMs` fails its call with a `budget` PolicyError naming the policy.
 */
export type PolicyBudget = { limitMs: number; spentMs: number };

export type PolicyCallOptions = {
  /** The run's fixed clock (`Date.now()` inside policies) and random seed. */
  now?: number;
  seed?: number;
  /** Gathers policy log lines (a run session sends them to the run's events itself). */
  onLog?: (log: PolicyLog) => void;
  /** The run's CPU budget, shared by all its calls; without one, calls are limited only by time. */
  budget?: PolicyBudget;
};

/** Calls policies: a run's session, or the runner itself outside any run (samples, the CLI). */
export interface PolicyCaller {
  /** The compiled policy's kind, or a PolicyError (`not_found`, `compile`, …) before any run. */
  kindOf(path: string): Promise<PolicyKind>;
  /**
   * Calls `fn` of the policy at `path` on every input, in batches. A whole-call failure (the policy
   * does not exist, is of another kind, its worker died, the run's CPU budget is spent) throws a
   * PolicyError; a failure on one input is that input's `{ ok: false }`. Fields that every input
   * holds by the same reference (a run's `system` and `vars`) cross once per batch.
   */
  call<K extends PolicyKind, F extends PolicyFunction<K>>(
    path: string,
    kind: K,
    fn: F,
    inputs: Array<PolicyInput<K, F>>,
    options?: PolicyCallOptions,
  ): Promise<Array<PolicyResult<PolicyOutput<K, F>>>>;
}

/** A policy version: its path and the content hash of its build. */
export type PinnedPolicy = { path: string; hash: string };

export type RunPolicyOptions = {
  runId: string;
  /** The policies the run's config names: each is pinned at the version saved now. */
  paths: string[];
  /** Versions pinned when the run first started (a resumed run keeps them). */
  pinned?: PinnedPolicy[];
  /** The run's policy CPU budget in ms; by default the runner's (SANDBOX_RUN_CPU_MS). */
  budgetMs?: number;
  /** The run's fixed clock, for calls that give none. */
  now?: number;
};

/**
 * One run's policies. Every call runs the version pinned when the run started (a policy saved
 * during the run does not change it), takes its CPU time from the run's budget, and sends the log
 * lines the policy writes to the run's events: a line written for one record (an account, an IDM
 * object, a pair's ctx) goes to the event of that object; a line from a per-run call (pre- and
 * post-processor, the queries, a custom processor's batch) goes to the run-level event.
 */
/** The version of a policy a run calls, and whether its results depend on its input alone. */
export type PolicyVersion = PinnedPolicy & {
  /**
   * False when its code may read the clock or `Math.random` (fixed per run, so they differ from
   * one run to the next): what it returned in an earlier run must not be reused.
   */
  inputOnly: boolean;
};

export interface PolicySession extends PolicyCaller {
  /** The versions this run uses, to be recorded on the run. */
  readonly pinned: PinnedPolicy[];
  versionOf(path: string): Promise<PolicyVersion>;
  /** Writes the log lines still buffered. Call once when the run ends, however it ends. */
  finish(): Promise<void>;
}

export interface PolicyRunner extends PolicyCaller {
  forRun(options: RunPolicyOptions): Promise<PolicySession>;
}
