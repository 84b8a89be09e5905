import { type Config, loadConfig } from '../../config.ts';
import { type EventOutcome, eventOutcomes } from '../../core/model.ts';
import { unhandled } from '../../services/outcomes.ts';
import type { RunEventSummary } from '../../store/events-query.ts';
import { type Command, UsageError } from '../command.ts';
import { findLocalServer, type LocalServer } from '../local-server.ts';
import { formatTable } from './history.ts';

type EventsRequest = { csv: boolean; outcome: EventOutcome | undefined; limit: number };
type EventsPage = { items: RunEventSummary[]; more: boolean };
/** `written`: the CSV went to stdout; a page: events to print as a table. */
type EventsResult = 'no_run' | 'written' | EventsPage;

async function writeOut(chunk: string | Uint8Array) {
  if (!process.stdout.write(chunk)) await new Promise((done) => process.stdout.once('drain', done));
}

async function readFromDatabase(
  config: Config,
  runId: string,
  request: EventsRequest,
): Promise<EventsResult> {
  const { withLocalServices } = await import('../local-services.ts');
  return withLocalServices(config, async ({ activity }) => {
    if (request.csv) {
      const found = await activity.eventsCsv(runId);
      if (found.outcome === 'run_not_found') return 'no_run';
      for await (const chunk of found.chunks) await writeOut(chunk);
      return 'written';
    }
    const page = await activity.listEvents(runId, { outcome: request.outcome, limit: request.limit });
    switch (page.outcome) {
      case 'run_not_found':
        return 'no_run';
      case 'listed':
        return { items: page.items, more: page.nextSeq !== null };
      default:
        return unhandled(page);
    }
  });
}

/** The same, from the server that holds the embedded database. */
async function readThroughServer(
  server: LocalServer,
  runId: string,
  request: EventsRequest,
): Promise<EventsResult> {
  const { ApiClientError, createApiClient } = await import('../api-client.ts');
  const client = createApiClient(server);
  const run = `/api/runs/${encodeURIComponent(runId)}`;
  try {
    if (request.csv) {
      const response = await client.stream(`${run}/events.csv`);
      for await (const chunk of response.body ?? []) await writeOut(chunk);
      return 'written';
    }
    const query = new URLSearchParams({
      limit: String(request.limit),
      ...(request.outcome ? { outcome: request.outcome } : {}),
    });
    const page = await client.json<{ items: RunEventSummary[]; nextCursor: string | null }>(
      'GET',
      `${run}/events?${query}`,
    );
    return { items: page.items, more: page.nextCursor !== null };
  } catch (error) {
    if (error instanceof ApiClientError && error.status === 404) return 'no_run';
    throw error;
  }
}

function printEvents({ items, more }: EventsPage) {
  const rows = items.map((e) => [
    String(e.seq),
    e.objectKey ?? '-',
    e.situation ?? '-',
    e.response ?? '-',
    e.outcome,
    e.error?.message ?? '',
  ]);
  process.stdout.write(formatTable(['SEQ', 'OBJECT', 'SITUATION', 'RESPONSE', 'OUTCOME', 'ERROR'], rows));
  if (more) process.stdout.write(`… more events; use --limit or --csv to see them all\n`);
}

export const eventsCommand: Command = {
  name: 'events',
  summary: "Show a run's events, or export them all as CSV.",
  usage: 'events <runId> [--csv] [--outcome <outcome>] [--limit <n>]',
  help: [
    'options:',
    '  --csv                every event as CSV on stdout (the same file as GET /api/runs/:id/events.csv)',
    `  --outcome <outcome>  only events with this outcome (${eventOutcomes.join(', ')}); not with --csv`,
    '  --limit <n>          how many events to list (default 100); not with --csv',
    '',
    'Exit codes: 0 success, 1 no such run, 2 bad usage.',
  ].join('\n'),
  options: {
    help: { type: 'boolean', short: 'h' },
    csv: { type: 'boolean' },
    outcome: { type: 'string' },
    limit: { type: 'string' },
  },
  async run({ values, positionals }) {
    const [runId, ...extra] = positionals;
    if (!runId) throw new UsageError('a run id is required');
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const outcome = values.outcome;
    if (outcome !== undefined && !(eventOutcomes as readonly unknown[]).includes(outcome)) {
      throw new UsageError(`--outcome must be one of ${eventOutcomes.join(', ')} (got "${outcome}")`);
    }
    const limitText = typeof values.limit === 'string' ? values.limit : '100';
    if (!/^\d+$/.test(limitText) || Number(limitText) < 1) {
      throw new UsageError(`--limit must be a positive whole number (got "${limitText}")`);
    }
    if (values.csv && (outcome !== undefined || values.limit !== undefined)) {
      throw new UsageError('--csv exports every event; it takes no --outcome or --limit');
    }
    const config = loadConfig();
    const request = {
      csv: values.csv === true,
      outcome: outcome as EventOutcome | undefined,
      limit: Number(limitText),
    };
    const server = findLocalServer(config);
    const result = server
      ? await readThroughServer(server, runId, request)
      : await readFromDatabase(config, runId, request);
    if (result === 'no_run') {
      process.stderr.write(`trueup events: no run "${runId}"\n`);
      return 1;
    }
    if (result !== 'written') printEvents(result);
    return 0;
  },
};
