import type {
  Account,
  AttributePatch,
  ConnectorQuery,
  IdmFilter,
  IdmObject,
  ObjectType,
  Response,
  RunMode,
  Situation,
  SystemView,
} from './model.ts';

/**
 * How the engine calls integrator policies. The sandbox (server/sandbox/) implements it; the
 * engine only knows these shapes. Every call carries a batch: one crossing per batch, never
 * per record. Outputs come back validated, one per input, in input order.
 */
export const policyKinds = [
  'targetQuery',
  'idmQuery',
  'matchingRule',
  'population',
  'outboundMapping',
  'preProcessor',
  'postProcessor',
  'situationCommand',
  'customProcessor',
] as const;
export type PolicyKind = (typeof policyKinds)[number];

export type Vars = Record<string, unknown>;

export type TargetQueryContext = {
  searchFilter: string | null;
  updatedSince: string | null;
  watermark: string | null;
  attributes: string[];
  system: SystemView;
  vars: Vars;
};
export type IdmQueryContext = {
  searchFilter: IdmFilter | null;
  objectType: ObjectType;
  system: SystemView;
  vars: Vars;
};
export type PopulationContext = {
  situation: Situation;
  account: Account;
  idmObject: IdmObject | null;
  system: SystemView;
  vars: Vars;
};
export type OutboundMappingContext = {
  idmObject: IdmObject;
  account: Account | null;
  system: SystemView;
  vars: Vars;
};
export type PreProcessorContext = {
  configId: string;
  objectType: ObjectType;
  mode: RunMode;
  dryRun: boolean;
  system: SystemView;
};
export type RunSummaryView = {
  runId: string;
  status: string;
  dryRun: boolean;
  counts: { situations: Record<string, number>; responses: Record<string, number>; errors: number };
};
export type PostProcessorContext = { summary: RunSummaryView; system: SystemView; vars: Vars };
export type SituationCommandContext = {
  situation: Situation;
  response: Response;
  account: Account | null;
  idmObject: IdmObject | null;
  system: SystemView;
  vars: Vars;
};
export type CorrelatedPair = {
  account: Account | null;
  idmObject: IdmObject | null;
  candidates: IdmObject[];
};
export type CustomProcessorContext = { pairs: CorrelatedPair[]; system: SystemView; vars: Vars };

/** An action a situation command asks for; `patch` is the IDM patch or the account patch. */
export type CommandAction = { response: Response; patch?: AttributePatch };
export type CustomDecision = { situation: Situation; response: Response; patch?: AttributePatch };

/** Input and output of each callable function of each kind. */
export type PolicyCalls = {
  targetQuery: { default: [TargetQueryContext, ConnectorQuery] };
  idmQuery: { default: [IdmQueryContext, IdmFilter | null] };
  matchingRule: {
    accountKeys: [Account, string[]];
    idmKeys: [IdmObject, string[]];
    score: [{ account: Account; candidate: IdmObject }, number];
  };
  population: { default: [PopulationContext, AttributePatch] };
  outboundMapping: { default: [OutboundMappingContext, AttributePatch] };
  preProcessor: { default: [PreProcessorContext, { abort?: string; vars?: Vars }] };
  postProcessor: { default: [PostProcessorContext, { notify?: { to?: string[]; message?: string } }] };
  situationCommand: { default: [SituationCommandContext, CommandAction[]] };
  customProcessor: { default: [CustomProcessorContext, CustomDecision[]] };
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
export interface PolicySession extends PolicyCaller {
  /** The versions this run uses, to be recorded on the run. */
  readonly pinned: PinnedPolicy[];
  /** Writes the log lines still buffered. Call once when the run ends, however it ends. */
  finish(): Promise<void>;
}

export interface PolicyRunner extends PolicyCaller {
  forRun(options: RunPolicyOptions): Promise<PolicySession>;
}
