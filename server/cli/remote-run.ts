import { setTimeout as sleep } from 'node:timers/promises';
import type { RunStatus } from '../core/model.ts';
import type { GetRunResponse } from '../http/routes/runs/get-run.ts';
import type { RunMode } from '../services/runs/types.ts';
import { ApiClientError, createApiClient } from './api-client.ts';
import type { LocalServer } from './local-server.ts';

type RemoteSummary = Pick<
  GetRunResponse,
  | 'id'
  | 'status'
  | 'dryRun'
  | 'mode'
  | 'phase'
  | 'startedAt'
  | 'finishedAt'
  | 'throughput'
  | 'counts'
  | 'error'
>;

export type FinishedRun = Omit<RemoteSummary, 'startedAt' | 'finishedAt' | 'phase' | 'error'> & {
  startedAt: Date | null;
  finishedAt: Date | null;
  error: { code: string; message: string } | null;
};

const unfinished = new Set<RunStatus>(['queued', 'running']);

/**
 * `trueup run` while `trueup serve` holds the embedded database: the server runs it, the CLI
 * starts it over the API and follows it until it ends. Returns the finished run, or an exit code
 * with the message already printed.
 */
export async function runThroughServer(
  server: LocalServer,
  request: { configId: string; dryRun: boolean; mode: RunMode; keys?: string[] },
  out: NodeJS.WritableStream,
): Promise<FinishedRun | number> {
  const client = createApiClient(server);
  let runId: string;
  try {
    ({ runId } = await client.json<{ runId: string }>(
      'POST',
      `/api/recon-configs/${encodeURIComponent(request.configId)}/runs`,
      {
        dryRun: request.dryRun,
        mode: request.mode === 'keys' ? 'full' : request.mode,
        ...(request.keys ? { keys: request.keys } : {}),
      },
    ));
  } catch (error) {
    if (!(error instanceof ApiClientError)) throw error;
    process.stderr.write(`trueup run: ${error.message}\n`);
    return error.status === 404 || error.status === 400 ? 2 : 1;
  }
  out.write(`run ${runId} started by the server at ${server.url}\n`);
  return followRun(client, runId, out);
}

/** Polls a run the server executes, printing each new phase, until it ends. */
export async function followRun(
  client: ReturnType<typeof createApiClient>,
  runId: string,
  out: NodeJS.WritableStream,
): Promise<FinishedRun> {
  let lastPhase: string | null = null;
  for (;;) {
    const run = await client.json<RemoteSummary>('GET', `/api/runs/${encodeURIComponent(runId)}`);
    if (run.phase && run.phase !== lastPhase) {
      lastPhase = run.phase;
      out.write(`${run.phase}\n`);
    }
    if (!unfinished.has(run.status)) {
      return {
        ...run,
        startedAt: run.startedAt ? new Date(run.startedAt) : null,
        finishedAt: run.finishedAt ? new Date(run.finishedAt) : null,
        error: run.error ?? null,
      };
    }
    await sleep(250);
  }
}
