import { loadConfig } from '../../config.ts';
import { type Command, UsageError } from '../command.ts';
import { findLocalServer } from '../local-server.ts';
import { type EventPage, formatEvents, localSummary, shownEvents } from './review-output.ts';
import { exitCodeOf, formatSummary, progressPrinter, refusalCode } from './run.ts';

const deletions = ['DELETE_FROM_IDM', 'DELETE_FROM_RESOURCE'] as const;

function planFooter(runId: string, planHash: string | null, deleting: EventPage[]): string {
  const items = deleting.flatMap((p) => p.items).sort((a, b) => a.seq - b.seq);
  const listing = formatEvents('deletions', { items, more: deleting.some((p) => p.more) });
  const hash = planHash ?? '(none: the run holds no plan)';
  const next = planHash ? `apply it with: trueup apply ${runId} --plan-hash ${planHash}\n` : '';
  return `${listing}plan hash  ${hash}\n${next}`;
}

/** docs/api.md CLI `plan <configId>`: a dry run that prints the counts, the deletions and the plan hash. */
export const planCommand: Command = {
  name: 'plan',
  summary: 'Make a plan (a dry run) and print its counts, its deletions and its plan hash.',
  usage: 'plan <configId>',
  help: [
    'The plan is stored with the run. Review it (trueup events <runId>), then carry out exactly',
    'that plan with: trueup apply <runId> --plan-hash <hash>.',
    '',
    'Exit codes: 0 a plan was made, 1 failure, 2 bad usage or configuration, 3 the plan is held by a',
    'deletion threshold or the source guard (an admin may still apply it).',
  ].join('\n'),
  options: { help: { type: 'boolean', short: 'h' } },
  async run(args) {
    const [configId, ...extra] = args.positionals;
    if (!configId) throw new UsageError('a config id is required');
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const config = loadConfig();
    const server = findLocalServer(config);
    if (server) {
      const [{ runThroughServer }, { createApiClient }] = await Promise.all([
        import('../remote-run.ts'),
        import('../api-client.ts'),
      ]);
      const finished = await runThroughServer(
        server,
        { configId, dryRun: true, mode: 'full' },
        process.stdout,
      );
      if (typeof finished === 'number') return finished;
      const client = createApiClient(server);
      const run = await client.json<{ planHash: string | null }>('GET', `/api/runs/${finished.id}`);
      const deleting = await Promise.all(
        deletions.map(async (response) => {
          const page = await client.json<{ items: EventPage['items']; nextCursor: string | null }>(
            'GET',
            `/api/runs/${finished.id}/events?outcome=planned&response=${response}&limit=${shownEvents}`,
          );
          return { items: page.items, more: page.nextCursor !== null };
        }),
      );
      process.stdout.write(formatSummary(finished) + planFooter(finished.id, run.planHash, deleting));
      return exitCodeOf(finished.status);
    }
    const { withLocalServices } = await import('../local-services.ts');
    return withLocalServices(
      config,
      async (services) => {
        const started = await services.runs.start(
          { configId, dryRun: true, mode: 'full', trigger: 'cli', startedBy: 'cli' },
          progressPrinter(process.stdout),
        );
        if (started.outcome !== 'started') return refusalCode('plan', configId, started);
        await services.runs.wait(started.runId);
        const found = await services.activity.getRun(started.runId);
        if (found.outcome !== 'found') return 1;
        const { run } = found;
        const deleting = await Promise.all(
          deletions.map(async (response) => {
            const page = await services.activity.listEvents(run.id, {
              outcome: 'planned',
              response,
              limit: shownEvents,
            });
            return page.outcome === 'listed'
              ? { items: page.items, more: page.nextSeq !== null }
              : { items: [], more: false };
          }),
        );
        if (process.stdout.isTTY) process.stdout.write('\n');
        process.stdout.write(formatSummary(localSummary(run)) + planFooter(run.id, run.planHash, deleting));
        return exitCodeOf(run.status);
      },
      { logLevel: config.logLevel },
    );
  },
};
