import {
  type PolicyBudget,
  type PolicyCallOptions,
  PolicyError,
  type PolicyErrorInfo,
  type PolicyErrorKind,
  type PolicyKind,
  type PolicyLog,
  type PolicyResult,
} from '../core/policy-port.ts';
import { describeShapeIssues, fastCheck, outputShape } from './shapes.ts';
import { createStackMapper, type MappedStack, type StackMapper } from './source-map.ts';
import { type Sandbox, WorkerDied } from './supervisor.ts';
import type { AdoptedPolicy, CallFailure, CallReply, WorkerLog } from './worker/protocol.ts';

/** A build that compiled cleanly: what the sandbox needs to run it. */
export type RunnableBuild = { path: string; hash: string; kind: PolicyKind; code: string; sourceMap: string };

/** Where the time went, summed over a call's batches (`npm run bench:sandbox` prints it). */
export type BatchTimings = { encodeMs: number; isolateMs: number; decodeMs: number };

export type ExecuteOptions = PolicyCallOptions & {
  batchSize?: number;
  timings?: BatchTimings;
  /**
   * Fields every input gets, each input its own deep copy (a population's `system` and `vars`):
   * they cross once per batch instead of once per record. An input's own field of the same name
   * is replaced. Inputs must then be objects.
   */
  shared?: Record<string, unknown>;
};

const defaultBatchSize = 1000;

function budgetSpent(build: RunnableBuild, budget: PolicyBudget): PolicyError {
  return new PolicyError({
    kind: 'budget',
    policy: build.path,
    message: `the run's policy CPU budget of ${budget.limitMs} ms (SANDBOX_RUN_CPU_MS) is spent: ${Math.round(budget.spentMs)} ms used`,
  });
}
const memoryMessages =
  /^(Invalid string length|Invalid array length|Array buffer allocation failed|Invalid typed array length)/;

function encodeShared(shared: Record<string, unknown> | undefined, inputs: unknown[]): string | undefined {
  if (shared === undefined) return undefined;
  if (typeof shared !== 'object' || shared === null || Array.isArray(shared))
    throw new TypeError('shared must be an object');
  for (const input of inputs) {
    if (typeof input !== 'object' || input === null || Array.isArray(input))
      throw new TypeError('with shared fields, every input must be an object');
  }
  return JSON.stringify(shared);
}

/**
 * Runs one function of a compiled policy over many inputs: batches of `batchSize` records, two in
 * flight per worker so the host validates one batch while a worker runs the next, every output
 * checked against the kind's shape, every error mapped to the policy's own TypeScript lines.
 */
export function createExecutor(sandbox: Sandbox) {
  const mappers = new Map<string, StackMapper>();
  const adoptedByHash = new Map<string, AdoptedPolicy>();

  function mapperFor(build: RunnableBuild): StackMapper {
    let mapper = mappers.get(build.hash);
    if (!mapper) {
      mapper = createStackMapper(build.sourceMap);
      mappers.set(build.hash, mapper);
    }
    return mapper;
  }

  /** The location in the policy's own file: helpers in other files show in the stack only. */
  function locate(build: RunnableBuild, stack: string | undefined): MappedStack {
    const mapped = mapperFor(build)(stack);
    if (mapped.file === undefined || mapped.file === build.path) return mapped;
    const own = mapped.stack
      .split('\n')
      .find((frame) => frame.includes(`(${build.path}:`) || frame.startsWith(`    at ${build.path}:`));
    const match = own && /:(\d+):(\d+)\)?$/.exec(own);
    return match
      ? { file: build.path, line: Number(match[1]), column: Number(match[2]), stack: mapped.stack }
      : { stack: mapped.stack };
  }

  function errorInfo(build: RunnableBuild, kind: PolicyErrorKind, message: string, stack?: string) {
    const where = locate(build, stack ?? adoptedByHash.get(build.hash)?.definedAt);
    const info: PolicyErrorInfo = { kind, policy: build.path, message };
    if (where.line !== undefined) {
      info.line = where.line;
      info.column = where.column;
    }
    if (stack !== undefined && where.stack) info.stack = where.stack;
    return info;
  }

  function failureInfo(build: RunnableBuild, failure: CallFailure, batchSize: number): PolicyErrorInfo {
    const during = failure.phase === 'load' ? 'while loading (top-level code)' : '';
    switch (failure.type) {
      case 'timeout': {
        const which =
          failure.index !== undefined && failure.index >= 0
            ? `; record ${failure.index} of the batch of ${batchSize} was running`
            : '';
        return errorInfo(build, 'timeout', `${failure.message}${during ? ` ${during}` : ''}${which}`);
      }
      case 'memory':
        return errorInfo(build, 'memory', `${failure.message}${during ? ` ${during}` : ''}`);
      case 'thrown': {
        const kind = memoryMessages.test(failure.message) ? 'memory' : 'thrown';
        const prefix = failure.name && failure.name !== 'Error' ? `${failure.name}: ` : '';
        return errorInfo(
          build,
          kind,
          `${prefix}${failure.message}${during ? ` ${during}` : ''}`,
          failure.stack,
        );
      }
      default:
        return { kind: 'crashed', policy: build.path, message: `the sandbox failed: ${failure.message}` };
    }
  }

  /** A worker's log line as the port gives it: index in the call's inputs, the policy's file:line. */
  function logLine(build: RunnableBuild, log: WorkerLog, offset: number): PolicyLog {
    const line: PolicyLog = { policy: build.path, level: log.level, message: log.message };
    if (log.index !== undefined) line.index = offset + log.index;
    const where = mapperFor(build)(log.stack);
    if (where.file !== undefined) {
      line.file = where.file;
      line.line = where.line;
      line.column = where.column;
    }
    return line;
  }

  function decode(build: RunnableBuild, fn: string, reply: Extract<CallReply, { ok: true }>) {
    const shape = outputShape(build.kind, fn)!;
    const fast = fastCheck(build.kind, fn);
    const raw = JSON.parse(reply.results) as Array<
      { v: unknown } | { e: { name: string; message: string; stack: string } } | { s: string }
    >;
    return raw.map((entry): PolicyResult<unknown> => {
      if ('v' in entry) {
        if (fast?.(entry.v)) return { ok: true, value: entry.v };
        const parsed = shape.safeParse(entry.v);
        if (parsed.success) return { ok: true, value: parsed.data };
        return {
          ok: false,
          error: errorInfo(
            build,
            'shape',
            `${fn} returned a bad shape: ${describeShapeIssues(parsed.error)}`,
          ),
        };
      }
      if ('s' in entry)
        return { ok: false, error: errorInfo(build, 'shape', `${fn} returned a bad shape: ${entry.s}`) };
      const failure: CallFailure = { type: 'thrown', phase: 'call', ...entry.e };
      return { ok: false, error: failureInfo(build, failure, raw.length) };
    });
  }

  async function callBatch(
    build: RunnableBuild,
    fn: string,
    batch: unknown[],
    offset: number,
    shared: string | undefined,
    options: ExecuteOptions,
  ) {
    const { timings } = options;
    const encodeStart = timings ? performance.now() : 0;
    const inputs = JSON.stringify(batch);
    if (timings) timings.encodeMs += performance.now() - encodeStart;
    let reply: CallReply;
    try {
      reply = await sandbox.call({
        hash: build.hash,
        code: build.code,
        fn,
        inputs,
        ...(shared === undefined ? {} : { shared }),
        now: options.now ?? Date.now(),
        seed: options.seed ?? 0,
      });
    } catch (error) {
      if (!(error instanceof WorkerDied)) throw error;
      throw new PolicyError({
        kind: error.outOfMemory ? 'memory' : 'crashed',
        policy: build.path,
        message: `${error.message}; the next call will work`,
      });
    }
    const { budget } = options;
    if (budget) budget.spentMs += reply.cpuNs / 1e6;
    if (timings) timings.isolateMs += reply.cpuNs / 1e6;
    if (reply.adopted) {
      adoptedByHash.set(build.hash, reply.adopted);
      if (reply.adopted.kind !== build.kind) {
        throw new PolicyError({
          kind: 'wrong_kind',
          policy: build.path,
          message: `the default export is a ${reply.adopted.kind} policy, but it compiled as ${build.kind}`,
        });
      }
    }
    if (options.onLog) for (const log of reply.logs) options.onLog(logLine(build, log, offset));
    if (budget && budget.spentMs > budget.limitMs) throw budgetSpent(build, budget);
    if (reply.ok) {
      if (!timings) return decode(build, fn, reply);
      const decodeStart = performance.now();
      const decoded = decode(build, fn, reply);
      timings.decodeMs += performance.now() - decodeStart;
      return decoded;
    }
    const info = failureInfo(build, reply.failure, batch.length);
    // Top-level code that fails fails every call; a missing function is the caller's mistake.
    if (reply.failure.phase === 'load') throw new PolicyError(info);
    if (reply.failure.name === 'MissingFunction') {
      throw new PolicyError({ kind: 'not_found', policy: build.path, message: reply.failure.message });
    }
    if (reply.failure.type === 'thrown' || reply.failure.type === 'internal') throw new PolicyError(info);
    return batch.map((): PolicyResult<unknown> => ({ ok: false, error: info }));
  }

  async function execute(
    build: RunnableBuild,
    fn: string,
    inputs: unknown[],
    options: ExecuteOptions = {},
  ): Promise<Array<PolicyResult<unknown>>> {
    if (!outputShape(build.kind, fn)) {
      throw new PolicyError({
        kind: 'not_found',
        policy: build.path,
        message: `a ${build.kind} policy has no "${fn}" function`,
      });
    }
    const shared = encodeShared(options.shared, inputs);
    const size = Math.max(1, options.batchSize ?? defaultBatchSize);
    const batches: unknown[][] = [];
    for (let start = 0; start < inputs.length; start += size) batches.push(inputs.slice(start, start + size));
    const results: Array<Array<PolicyResult<unknown>>> = new Array(batches.length);
    let next = 0;
    const lane = async () => {
      while (next < batches.length) {
        const index = next++;
        const { budget } = options;
        if (budget && budget.spentMs >= budget.limitMs) throw budgetSpent(build, budget);
        results[index] = await callBatch(build, fn, batches[index]!, index * size, shared, options);
      }
    };
    await Promise.all(Array.from({ length: 2 * sandbox.workers }, lane));
    return results.flat();
  }

  return { execute };
}

export type Executor = ReturnType<typeof createExecutor>;
