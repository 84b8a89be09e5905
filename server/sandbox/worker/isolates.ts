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
/** prelude.js throws this when a policy changed RegExp.prototype, the one unfrozen intrinsic. */
const intrinsicChanged = /^the policy changed RegExp\.prototype/;

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

  function load(hash: string, code: string): LoadedPolicy {
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
        isolate
          .compileScriptSync(code, { filename: policyFilename })
          .runSync(context, { timeout: settings.timeoutMs });
        const adopted = JSON.parse(adopt.applySync(undefined, [], { timeout: settings.timeoutMs }) as string);
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
        policy = load(request.hash, request.code);
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
      const failure = classify(error, policy.isolate, 'call');
      const cpuNs = policy.isolate.isDisposed ? 0 : Number(policy.isolate.cpuTime - startCpu);
      const logs = takeLogs(policy.isolate, policy.takeLogs);
      if (failure.type === 'timeout') {
        failure.index = policy.running.applySync(undefined, [], { timeout: 100 }) as number;
      } else if (failure.type === 'memory' || intrinsicChanged.test(failure.message)) {
        // Out of memory, or the policy changed RegExp.prototype (prelude.js): start afresh.
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
