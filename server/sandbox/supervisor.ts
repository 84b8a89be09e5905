import { type ChildProcess, fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { CallReply, CallRequest, WorkerSettings } from './worker/protocol.ts';

const workerModule = fileURLToPath(new URL('./worker/main.ts', import.meta.url));

/** The worker process died while running this call (a V8 abort, a kill, a native crash). */
export class WorkerDied extends Error {
  override name = 'WorkerDied';
  readonly outOfMemory: boolean;
  constructor(message: string, outOfMemory: boolean) {
    super(message);
    this.outOfMemory = outOfMemory;
  }
}

export type BatchCall = Omit<CallRequest, 'id' | 'code'> & { code: string };

/**
 * Workers for a server or a benchmark: two keep two cores busy (the host encodes and checks
 * batches while both workers run policies); past that the host's own share is the bottleneck.
 */
export const defaultWorkers = Math.min(2, availableParallelism());

export type SandboxOptions = WorkerSettings & {
  /** How many worker processes share the calls (default 1); each starts on its first call. */
  workers?: number;
};

export type Sandbox = {
  /** Runs one batch in the least busy worker, starting (or restarting) it as needed. */
  call(request: BatchCall): Promise<CallReply>;
  /** How many worker processes may run at once: callers keep about two calls in flight per worker. */
  readonly workers: number;
  /** How many worker processes were started so far (first starts and restarts). */
  readonly starts: number;
  /** The running workers' process ids. */
  readonly pids: number[];
  close(): Promise<void>;
};

type Pending = { request: BatchCall; resolve(reply: CallReply): void; reject(error: Error): void };

/** One worker process slot: the calls sent to its current process, oldest first. */
type Slot = {
  child: ChildProcess | undefined;
  loadedHashes: Set<string>;
  pending: Map<number, Pending>;
};

const oomPattern = /out of memory|heap limit|allocation failed|is_heap_oom = 1|Last few GCs/i;

/**
 * Supervises the sandbox workers. Each worker runs its calls one at a time in arrival order, so
 * when one dies the oldest call pending on it is the one that killed it: that call fails with
 * `WorkerDied`, and the calls queued behind it are sent again, to whichever worker is least busy.
 */
export function createSandbox(options: SandboxOptions): Sandbox {
  const { workers: workerCount = 1, ...settings } = options;
  const slots: Slot[] = Array.from({ length: Math.max(1, workerCount) }, () => ({
    child: undefined,
    loadedHashes: new Set(),
    pending: new Map(),
  }));
  let nextId = 1;
  let starts = 0;
  let closed = false;

  /** The slot with the fewest calls pending; a running worker before one still to start. */
  function leastBusy(): Slot {
    let best = slots[0]!;
    for (const slot of slots) {
      const fewer = slot.pending.size < best.pending.size;
      const sameButRunning = slot.pending.size === best.pending.size && slot.child && !best.child;
      if (fewer || sameButRunning) best = slot;
    }
    return best;
  }

  function dispatch(entry: Pending, slot = leastBusy()) {
    const id = nextId++;
    slot.pending.set(id, entry);
    const worker = slot.child ?? start(slot);
    const { code, ...rest } = entry.request;
    const message: CallRequest = slot.loadedHashes.has(rest.hash) ? { id, ...rest } : { id, ...rest, code };
    slot.loadedHashes.add(rest.hash);
    worker.send(message);
  }

  function start(slot: Slot): ChildProcess {
    starts++;
    slot.loadedHashes = new Set();
    let stderrTail = '';
    const worker = fork(workerModule, [JSON.stringify(settings)], {
      execPath: process.execPath,
      execArgv: ['--no-node-snapshot', '--disable-warning=ExperimentalWarning'],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    worker.stderr?.setEncoding('utf8');
    worker.stderr?.on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-4000);
    });
    worker.on('message', (reply: CallReply) => {
      const entry = slot.pending.get(reply.id);
      if (!entry) return;
      slot.pending.delete(reply.id);
      if (!reply.ok && reply.failure.type === 'missing') {
        slot.loadedHashes.delete(entry.request.hash);
        dispatch(entry, slot);
        return;
      }
      entry.resolve(reply);
    });
    // A failed fork or a send to a dying worker; the 'exit' handler fails or resends the calls.
    worker.on('error', (error) => {
      stderrTail = `${stderrTail}\n${error.message}`.slice(-4000);
    });
    worker.on('exit', (code, signal) => {
      if (slot.child !== worker) return;
      slot.child = undefined;
      const waiting = [...slot.pending.values()];
      slot.pending.clear();
      // Give the stderr pipe a moment to deliver V8's last words before reading them.
      setImmediate(() => onWorkerExit(waiting, stderrTail, code, signal));
    });
    slot.child = worker;
    return worker;
  }

  function onWorkerExit(
    waiting: Pending[],
    stderrTail: string,
    code: number | null,
    signal: NodeJS.Signals | null,
  ) {
    const [culprit, ...queued] = waiting;
    if (!culprit) return;
    const outOfMemory = oomPattern.test(stderrTail);
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    culprit.reject(
      new WorkerDied(
        outOfMemory
          ? 'the sandbox worker ran out of memory and was restarted'
          : `the sandbox worker died (${how}) and was restarted`,
        outOfMemory,
      ),
    );
    for (const entry of queued) {
      if (closed) entry.reject(new WorkerDied('the sandbox was closed', false));
      else dispatch(entry);
    }
  }

  return {
    call(request) {
      if (closed) return Promise.reject(new Error('the sandbox is closed'));
      return new Promise((resolve, reject) => dispatch({ request, resolve, reject }));
    },
    workers: slots.length,
    get starts() {
      return starts;
    },
    get pids() {
      return slots.flatMap((slot) => (slot.child?.pid === undefined ? [] : [slot.child.pid]));
    },
    async close() {
      closed = true;
      await Promise.all(
        slots.map(async (slot) => {
          const worker = slot.child;
          if (!worker) return;
          const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
          worker.kill('SIGTERM');
          await exited;
        }),
      );
    },
  };
}
