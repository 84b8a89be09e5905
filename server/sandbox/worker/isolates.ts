import { readFileSync } from 'node:fs';
import ivm from 'isolated-vm';
import { ldapEscape, ldapEscapeDn, parseLogs, sha256 } from './host-functions.ts';
import {
  type AdoptedPolicy,
  type CallFailure,
  type CallReply,
  type CallRequest,
  policyFilename,
  type WorkerLog,
  type WorkerSettings,
} from './protocol.ts';

const prelude = readFileSync(new URL('./prelude.js', import.meta.url), 'utf8');
const maxIsolates = 32;
/**
 * prelude.js throws these when a policy changed RegExp.prototype (the one unfrozen intrinsic) or
 * left something on globalThis it cannot remove: the context is thrown away, so nothing carries.
 */
const contextSpoiled = /^the policy (changed RegExp\.prototype|left state on globalThis)/;

/**
 * The bundle, as a function that evaluates it afresh: prelude.js calls it at the start of every
 * batch, so the policy's module-level variables never outlive a batch. The bundle's first line is
 * esbuild's `'use strict';` banner, so it stays the function's directive and no policy line moves.
 */
const asModuleFactory = (code: string) =>
  `__trueupInstall(function () {${code}\n;return __trueupPolicyModule;\n});`;

type LoadedPolicy = {
  isolate: ivm.Isolate;
  context: ivm.Context;
  runBatch: ivm.Reference<(...args: unknown[]) => string>;
  running: ivm.Reference<() => number>;
  takeLogs: ivm.Reference<() => string>;
  adopted: AdoptedPolicy;
};

class LoadFailure extends Error {
  readonly failure: CallFailure;
  readonly logs: WorkerLog[];
  constructor(failure: CallFailure, logs: WorkerLog[]) {
    super(failure.message);
    this.failure = failure;
    this.logs = logs;
  }
}

/** The log lines the policy wrote since the last take; none if its isolate is gone. */
function takeLogs(isolate: ivm.Isolate, take: ivm.Reference<() => string>): WorkerLog[] {
  if (isolate.isDisposed) return [];
  try {
    return parseLogs(take.applySync(undefined, [], { timeout: 100 }) as string);
  } catch {
    return [];
  }
}

/** The record a failed batch was running, -2 for its module's top-level code, -1 if unknown. */
function runningIndex(policy: LoadedPolicy): number {
  if (policy.isolate.isDisposed) return -1;
  try {
    return policy.running.applySync(undefined, [], { timeout: 100 }) as number;
  } catch {
    return -1;
  }
}

/** Long-lived isolates, one per build hash, least recently used evicted beyond `maxIsolates`. */
export function createIsolatePool(settings: WorkerSettings) {
  const loaded = new Map<string, LoadedPolicy>();

  function classify(error: unknown, isolate: ivm.Isolate, phase: CallFailure['phase']): CallFailure {
    const err = error instanceof Error ? error : new Error(String(error));
    if (isolate.isDisposed || /memory limit/i.test(err.message)) {
      return { type: 'memory', phase, message: `ran out of memory (limit ${settings.memoryMb} MB)` };
    }
    if (/timed out/i.test(err.message)) {
      return { type: 'timeout', phase, message: `did not finish within ${settings.timeoutMs} ms` };
    }
    return { type: 'thrown', phase, name: err.name, message: err.message, stack: err.stack ?? '' };
  }

  function load(hash: string, code: string, now: number): LoadedPolicy {
    const isolate = new ivm.Isolate({ memoryLimit: settings.memoryMb });
    try {
      const context = isolate.createContextSync();
      const jail = context.global;
      jail.setSync('__trueupHostLdapEscape', new ivm.Callback(ldapEscape));
      jail.setSync('__trueupHostLdapEscapeDn', new ivm.Callback(ldapEscapeDn));
      jail.setSync('__trueupHostSha256', new ivm.Callback(sha256));
      isolate.compileScriptSync(prelude, { filename: 'trueup-prelude.js' }).runSync(context);
      const adopt = jail.getSync('__trueupAdopt', { reference: true });
      const runBatch = jail.getSync('__trueupRunBatch', { reference: true });
      const running = jail.getSync('__trueupRunning', { reference: true });
      const take = jail.getSync('__trueupTakeLogs', { reference: true });
      for (const name of ['__trueupAdopt', '__trueupRunBatch', '__trueupRunning', '__trueupTakeLogs'])
        jail.deleteSync(name);
      try {
        // Only installs the factory: the policy's own code first runs in adopt, below.
        isolate
          .compileScriptSync(asModuleFactory(code), { filename: policyFilename })
          .runSync(context, { timeout: settings.timeoutMs });
        jail.deleteSync('__trueupInstall');
        const adopted = JSON.parse(
          adopt.applySync(undefined, [now], { timeout: settings.timeoutMs }) as string,
        );
        const policy = { isolate, context, runBatch, running, takeLogs: take, adopted };
        loaded.set(hash, policy);
        evictBeyondLimit();
        return policy;
      } catch (error) {
        throw new LoadFailure(classify(error, isolate, 'load'), takeLogs(isolate, take));
      } finally {
        adopt.release();
      }
    } catch (error) {
      if (!isolate.isDisposed) isolate.dispose();
      throw error;
    }
  }

  function evictBeyondLimit() {
    for (const [hash, policy] of loaded) {
      if (loaded.size <= maxIsolates) break;
      loaded.delete(hash);
      policy.isolate.dispose();
    }
  }

  function forget(hash: string, policy: LoadedPolicy) {
    loaded.delete(hash);
    if (!policy.isolate.isDisposed) policy.isolate.dispose();
  }

  function call(request: CallRequest): CallReply {
    const { id } = request;
    let policy = loaded.get(request.hash);
    let fresh = false;
    if (policy) {
      loaded.delete(request.hash);
      loaded.set(request.hash, policy);
    } else {
      if (request.code === undefined) {
        return {
          id,
          ok: false,
          failure: { type: 'missing', phase: 'load', message: 'build not loaded' },
          logs: [],
          cpuNs: 0,
        };
      }
      try {
        policy = load(request.hash, request.code, request.now);
        fresh = true;
      } catch (error) {
        if (!(error instanceof LoadFailure)) throw error;
        return { id, ok: false, failure: error.failure, logs: error.logs, cpuNs: 0 };
      }
    }
    if (!policy.adopted.functions.includes(request.fn)) {
      const message = `the policy defines no "${request.fn}" function`;
      return {
        id,
        ok: false,
        failure: { type: 'thrown', phase: 'call', name: 'MissingFunction', message },
        logs: [],
        cpuNs: 0,
      };
    }
    const startCpu = policy.isolate.cpuTime;
    try {
      const results = policy.runBatch.applySync(
        undefined,
        [request.fn, request.inputs, request.shared ?? null, request.now, request.seed],
        {
          timeout: settings.timeoutMs,
        },
      ) as string;
      const cpuNs = Number(policy.isolate.cpuTime - startCpu);
      return {
        id,
        ok: true,
        ...(fresh ? { adopted: policy.adopted } : {}),
        results,
        logs: takeLogs(policy.isolate, policy.takeLogs),
        cpuNs,
      };
    } catch (error) {
      const running = runningIndex(policy);
      // -2: the batch's fresh evaluation of the module (its top-level code) failed.
      const failure = classify(error, policy.isolate, running === -2 ? 'load' : 'call');
      const cpuNs = policy.isolate.isDisposed ? 0 : Number(policy.isolate.cpuTime - startCpu);
      const logs = takeLogs(policy.isolate, policy.takeLogs);
      if (failure.type === 'timeout') {
        failure.index = running;
      } else if (failure.type === 'memory' || contextSpoiled.test(failure.message)) {
        // Out of memory, or state the prelude cannot take back: start afresh.
        forget(request.hash, policy);
      }
      return {
        id,
        ok: false,
        ...(fresh ? { adopted: policy.adopted } : {}),
        failure,
        logs,
        cpuNs,
      };
    }
  }

  return { call };
}
