import { type ChildProcess, fork } from 'node:child_process';
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

export type Sandbox = {
  /** Runs one batch in the worker, starting (or restarting) it as needed. */
  call(request: BatchCall): Promise<CallReply>;
  /** How many worker processes were started so far (1 + restarts). */
  readonly starts: number;
  /** The running worker's process id, if one runs. */
  readonly pid: number | undefined;
  close(): Promise<void>;
};

type Pending = { request: BatchCall; resolve(reply: CallReply): void; reject(error: Error): void };

const oomPattern = /out of memory|heap limit|allocation failed|is_heap_oom = 1|Last few GCs/i;

/**
 * Supervises the sandbox worker. The worker runs calls one at a time in arrival order, so when it
 * dies the oldest pending call is the one that killed it: that call fails with `WorkerDied`, and
 * the calls queued behind it are resent to a fresh worker.
 */
export function createSandbox(settings: WorkerSettings): Sandbox {
  let child: ChildProcess | undefined;
  let loadedHashes = new Set<string>();
  let stderrTail = '';
  let nextId = 1;
  let starts = 0;
  let closed = false;
  const pending = new Map<number, Pending>();

  function send(id: number, entry: Pending) {
    const worker = child ?? start();
    const { code, ...rest } = entry.request;
    const message: CallRequest = loadedHashes.has(rest.hash) ? { id, ...rest } : { id, ...rest, code };
    loadedHashes.add(rest.hash);
    worker.send(message);
  }

  function start(): ChildProcess {
    starts++;
    loadedHashes = new Set();
    stderrTail = '';
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
      const entry = pending.get(reply.id);
      if (!entry) return;
      pending.delete(reply.id);
      if (!reply.ok && reply.failure.type === 'missing') {
        loadedHashes.delete(entry.request.hash);
        const id = nextId++;
        pending.set(id, entry);
        send(id, entry);
        return;
      }
      entry.resolve(reply);
    });
    // A failed fork or a send to a dying worker; the 'exit' handler fails or resends the calls.
    worker.on('error', (error) => {
      stderrTail = `${stderrTail}\n${error.message}`.slice(-4000);
    });
    worker.on('exit', (code, signal) => {
      if (child === worker) child = undefined;
      // Give the stderr pipe a moment to deliver V8's last words before reading them.
      setImmediate(() => onWorkerExit(code, signal));
    });
    child = worker;
    return worker;
  }

  function onWorkerExit(code: number | null, signal: NodeJS.Signals | null) {
    const waiting = [...pending.entries()];
    pending.clear();
    if (waiting.length === 0) return;
    const [, culprit] = waiting[0]!;
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
    for (const [, entry] of waiting.slice(1)) {
      if (closed) entry.reject(new WorkerDied('the sandbox was closed', false));
      else {
        const id = nextId++;
        pending.set(id, entry);
        send(id, entry);
      }
    }
  }

  return {
    call(request) {
      if (closed) return Promise.reject(new Error('the sandbox is closed'));
      return new Promise((resolve, reject) => {
        const id = nextId++;
        const entry = { request, resolve, reject };
        pending.set(id, entry);
        send(id, entry);
      });
    },
    get starts() {
      return starts;
    },
    get pid() {
      return child?.pid;
    },
    async close() {
      closed = true;
      const worker = child;
      if (!worker) return;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.kill('SIGTERM');
      await exited;
    },
  };
}
