import { loadConfig } from '../../config.ts';
import type { ApplyPlanOutcome } from '../../services/review.ts';
import { type Command, UsageError } from '../command.ts';
import { findLocalServer } from '../local-server.ts';
import { type EventPage, formatEvents, localSummary, shownEvents } from './review-output.ts';
import { exitCodeOf, formatSummary, progressPrinter } from './run.ts';

/** What `apply` says for each way a request to apply can end; the exit code with it. */
function refusal(runId: string, result: Exclude<ApplyPlanOutcome, { outcome: 'started' }>): [string, number] {
  switch (result.outcome) {
    case 'run_not_found':
      return [`no run "${runId}"`, 2];
    case 'forbidden':
      return [result.reason, 1];
    case 'not_a_plan':
      return [
        `run ${runId} holds no plan to apply (status ${result.status}${result.dryRun ? ', dry run' : ''})`,
        1,
      ];
    case 'plan_hash_mismatch':
      return [
        `the plan hash does not match the plan of run ${runId} (${result.planHash}): review it again`,
        1,
      ];
    case 'already_applied':
      return [`this plan was applied already, by run ${result.runId}`, 1];
    case 'config_changed':
      return [
        `config "${result.configId}" or its system changed since the plan was made; make a new plan`,
        1,
      ];
    case 'config_not_found':
      return ['the config of this plan no longer exists', 1];
    case 'already_running':
      return [`a run of this config is already going: ${result.runId}`, 1];
  }
}

/** docs/api.md CLI `apply <runId> [--plan-hash H]`: carries out exactly a reviewed or held plan. */
export const applyCommand: Command = {
  name: 'apply',
  summary: 'Carry out exactly the plan of a dry run or a held run, checked against drift.',
  usage: 'apply <runId> [--plan-hash H]',
  help: [
    'options:',
    '  --plan-hash H   the plan hash you reviewed (trueup plan prints it); refused if the plan differs',
    '',
    'Objects that changed on either side since the plan are skipped (changed_since_plan).',
    'Exit codes: 0 success, 1 failure or refusal, 2 bad usage or configuration.',
  ].join('\n'),
  options: { help: { type: 'boolean', short: 'h' }, 'plan-hash': { type: 'string' } },
  async run(args) {
    const [runId, ...extra] = args.positionals;
    if (!runId) throw new UsageError('a run id is required');
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const planHash = args.values['plan-hash'] as string | undefined;
    if (planHash !== undefined && !/^[0-9a-f]{64}$/.test(planHash))
      throw new UsageError('--plan-hash must be 64 hex digits');
    const config = loadConfig();
    const server = findLocalServer(config);
    if (server) {
      const [{ followRun }, { createApiClient, ApiClientError }] = await Promise.all([
        import('../remote-run.ts'),
        import('../api-client.ts'),
      ]);
      const client = createApiClient(server);
      let applyId: string;
      try {
        const hash =
          planHash ??
          (await client.json<{ planHash: string | null }>('GET', `/api/runs/${encodeURIComponent(runId)}`))
            .planHash;
        if (!hash) {
          process.stderr.write(`trueup apply: run ${runId} holds no plan to apply\n`);
          return 1;
        }
        ({ runId: applyId } = await client.json<{ runId: string }>(
          'POST',
          `/api/runs/${encodeURIComponent(runId)}/apply`,
          { planHash: hash },
        ));
      } catch (error) {
        if (!(error instanceof ApiClientError)) throw error;
        process.stderr.write(`trueup apply: ${error.message}\n`);
        return error.status === 404 ? 2 : 1;
      }
      process.stdout.write(`apply run ${applyId} started by the server at ${server.url}\n`);
      const finished = await followRun(client, applyId, process.stdout);
      const skipped = await client.json<{ items: EventPage['items']; nextCursor: string | null }>(
        'GET',
        `/api/runs/${applyId}/events?outcome=skipped&limit=${shownEvents}`,
      );
      process.stdout.write(
        formatSummary(finished) +
          formatEvents('skipped', { items: skipped.items, more: skipped.nextCursor !== null }),
      );
      return exitCodeOf(finished.status);
    }
    const { withLocalServices } = await import('../local-services.ts');
    return withLocalServices(
      config,
      async (services) => {
        // In-process the CLI is the machine's own administrator: its approval is recorded as `cli`.
        const result = await services.review.apply(
          { runId, planHash, approver: { name: 'cli', role: 'admin' } },
          progressPrinter(process.stdout),
        );
        if (result.outcome !== 'started') {
          const [message, code] = refusal(runId, result);
          process.stderr.write(`trueup apply: ${message}\n`);
          return code;
        }
        process.stdout.write(`apply run ${result.runId} started\n`);
        await services.runs.wait(result.runId);
        const found = await services.activity.getRun(result.runId);
        if (found.outcome !== 'found') return 1;
        const skipped = await services.activity.listEvents(result.runId, {
          outcome: 'skipped',
          limit: shownEvents,
        });
        const page =
          skipped.outcome === 'listed'
            ? { items: skipped.items, more: skipped.nextSeq !== null }
            : { items: [], more: false };
        if (process.stdout.isTTY) process.stdout.write('\n');
        process.stdout.write(formatSummary(localSummary(found.run)) + formatEvents('skipped', page));
        return exitCodeOf(found.run.status);
      },
      { logLevel: config.logLevel },
    );
  },
};
