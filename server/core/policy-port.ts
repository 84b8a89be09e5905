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

/** Logs a policy wrote during a call, for the run's events. */
export type PolicyLog = {
  policy: string;
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  index?: number;
};

/**
 * A run's policy CPU budget: create one per run (`{ limitMs: config.sandbox.runCpuMs, spentMs: 0 }`)
 * and pass it to every call; the runner adds each batch's isolate CPU time to `spentMs` and fails
 * further calls with a `budget` PolicyError once it reaches `limitMs`.
 */
export type PolicyBudget = { limitMs: number; spentMs: number };

export type PolicyCallOptions = {
  /** The run's fixed clock (`Date.now()` inside policies) and random seed. */
  now?: number;
  seed?: number;
  /** Gathers policy log lines for the run's events. */
  onLog?: (log: PolicyLog) => void;
  /** The run's CPU budget, shared by all its calls; without one, calls are limited only by time. */
  budget?: PolicyBudget;
};

export interface PolicyRunner {
  /** The compiled policy's kind, or a PolicyError (`not_found`, `compile`, …) before any run. */
  kindOf(path: string): Promise<PolicyKind>;
  /**
   * Calls `fn` of the policy at `path` on every input, in batches. A whole-call failure (the policy
   * does not exist, is of another kind, its worker died, the run's CPU budget is spent) throws a
   * PolicyError; a failure on one input is that input's `{ ok: false }`.
   */
  call<K extends PolicyKind, F extends PolicyFunction<K>>(
    path: string,
    kind: K,
    fn: F,
    inputs: Array<PolicyInput<K, F>>,
    options?: PolicyCallOptions,
  ): Promise<Array<PolicyResult<PolicyOutput<K, F>>>>;
}
