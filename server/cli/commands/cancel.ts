import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../../config.ts';
import type { RunStatus } from '../../core/model.ts';
import type { CancelRunResponse } from '../../http/routes/runs/cancel-run.ts';
import type { GetRunResponse } from '../../http/routes/runs/get-run.ts';
import type { CancelRunOutcome } from '../../services/runs/cancel-service.ts';
import { type Command, UsageError } from '../command.ts';
import { findLocalServer } from '../local-server.ts';

type Asked = Pick<CancelRunResponse, 'runId' | 'status' | 'cancelledBy'>;

const say = (message: string) => process.stderr.write(`trueup cancel: ${message}\n`);

/** What the command prints for each refusal, and its exit code. */
function refused(runId: string, result: Exclude<CancelRunOutcome, { runId: string }>): number {
  switch (result.outcome) {
    case 'run_not_found':
      say(`no run "${runId}"`);
      return 2;
    case 'already_ended':
      say(`run ${runId} has ended already (status ${result.status}); there is nothing to cancel`);
      return 1;
  }
}

/** Says what the request did; unless told not to, waits for the run to end: 0 when it ended `cancelled`. */
async function follow(asked: Asked, wait: boolean, status: () => Promise<RunStatus | null>): Promise<number> {
  if (asked.status === 'running') {
    process.stdout.write(
      `cancel requested by ${asked.cancelledBy}: run ${asked.runId} stops at its next batch boundary\n`,
    );
    if (!wait) return 0;
  }
  let current: RunStatus | null = asked.status;
  while (current === 'running' || current === 'queued') {
    await sleep(250);
    current = await status();
  }
  if (current === 'cancelled') {
    process.stdout.write(
      `run ${asked.runId} cancelled; what it applied before stays applied and journaled\n`,
    );
    return 0;
  }
  say(`run ${asked.runId} ended ${current ?? 'gone'} before it reached a batch boundary`);
  return 1;
}

/** docs/api.md CLI `cancel <runId>`: stops a queued run at once, a running one at its next batch boundary. */
export const cancelCommand: Command = {
  name: 'cancel',
  summary: 'Cancel a queued or running run (it stops at its next batch boundary).',
  usage: 'cancel <runId> [--no-wait]',
  help: [
    'A queued run is cancelled at once. A running run stops at its next batch boundary, on',
    'whichever server executes it, with status cancelled; what it applied stays applied and',
    'journaled, and no batch is left half written.',
    '',
    'options:',
    '  --no-wait   return once the request is stored, without waiting for the run to stop',
    '',
    'Exit codes: 0 cancelled (or requested, with --no-wait), 1 the run had ended or ended',
    'otherwise, 2 no such run or bad usage.',
  ].join('\n'),
  options: { help: { type: 'boolean', short: 'h' }, 'no-wait': { type: 'boolean' } },
  async run({ values, positionals }) {
    const [runId, ...extra] = positionals;
    if (!runId) throw new UsageError('a run id is required (see trueup history)');
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const wait = values['no-wait'] !== true;
    const config = loadConfig();
    const server = findLocalServer(config);
    if (server) {
      const { createApiClient, ApiClientError } = await import('../api-client.ts');
      const client = createApiClient(server);
      const path = `/api/runs/${encodeURIComponent(runId)}`;
      let asked: Asked;
      try {
        asked = await client.json<Asked>('POST', `${path}/cancel`);
      } catch (error) {
        if (!(error instanceof ApiClientError) || (error.status !== 404 && error.status !== 409)) throw error;
        say(error.message);
        return error.status === 404 ? 2 : 1;
      }
      return follow(asked, wait, async () => (await client.json<GetRunResponse>('GET', path)).status);
    }
    const { withLocalServices } = await import('../local-services.ts');
    return withLocalServices(config, async (services) => {
      // In-process the CLI is the machine's own administrator: the request is recorded as `cli`.
      const result = await services.cancel.cancel(runId, 'cli');
      if (result.outcome === 'run_not_found' || result.outcome === 'already_ended')
        return refused(runId, result);
      const asked: Asked = {
        runId,
        status: result.outcome === 'cancelled' ? 'cancelled' : 'running',
        cancelledBy: result.cancelledBy,
      };
      return follow(asked, wait, async () => {
        const found = await services.activity.getRun(runId);
        return found.outcome === 'found' ? found.run.status : null;
      });
    });
  },
};
