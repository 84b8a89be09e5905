/**
 * The sandbox worker: a child process that alone loads isolated-vm and runs policies. V8 aborts
 * the whole process on some memory bombs (isolated-vm #527, #457, #107), so the process that dies
 * is this one, never the server or the CLI; the supervisor (../supervisor.ts) restarts it.
 */
import { createIsolatePool } from './isolates.ts';
import type { CallReply, CallRequest, WorkerSettings } from './protocol.ts';

const settings = JSON.parse(process.argv[2] ?? '{}') as WorkerSettings;
const pool = createIsolatePool(settings);

process.on('message', (request: CallRequest) => {
  let reply: CallReply;
  try {
    reply = pool.call(request);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    reply = {
      id: request.id,
      ok: false,
      failure: { type: 'internal', phase: 'call', message },
      logs: [],
      cpuNs: 0,
    };
  }
  process.send?.(reply);
});
// The host went away: nothing else will ever ask this process for anything.
process.on('disconnect', () => process.exit(0));
