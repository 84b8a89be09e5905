import { type Config, loadConfig as loadConfigFromEnv } from '../../config.ts';
import type { RunSummary } from '../../store/runs-query.ts';
import { type Command, UsageError } from '../command.ts';
import { findLocalServer } from '../local-server.ts';

/** The runs, from the running server that holds the embedded database, or from the database. */
async function readRuns(config: Config, configId: string | undefined, limit: number) {
  const server = findLocalServer(config);
  if (server) {
    const { createApiClient } = await import('../api-client.ts');
    const query = new URLSearchParams({ limit: String(limit), ...(configId ? { configId } : {}) });
    const page = await createApiClient(server).json<{ items: RunSummary[] }>('GET', `/api/runs?${query}`);
    return page.items;
  }
  const { withLocalServices } = await import('../local-services.ts');
  return withLocalServices(
    config,
    async (services) => (await services.activity.listRuns({ configId, limit })).items,
  );
}

function duration(ms: number | null): string {
  if (ms === null) return '-';
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms / 1000)}s`;
}

/** Rows as an aligned text table, header first. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

export const historyCommand: Command = {
  name: 'history',
  summary: 'List recent runs (the activity history), newest first.',
  usage: 'history [--config <configId>] [--limit <n>] [--json]',
  help: [
    'options:',
    '  --config <id>   only the runs of this reconciliation config',
    '  --limit <n>     how many runs (default 20, at most 500)',
    '  --json          one JSON object per line instead of a table',
  ].join('\n'),
  options: {
    help: { type: 'boolean', short: 'h' },
    config: { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ values, positionals }) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const limitText = typeof values.limit === 'string' ? values.limit : '20';
    if (!/^\d+$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > 500) {
      throw new UsageError(`--limit must be a whole number from 1 to 500 (got "${limitText}")`);
    }
    const config = loadConfigFromEnv();
    const configId = typeof values.config === 'string' ? values.config : undefined;
    const items = await readRuns(config, configId, Number(limitText));
    if (values.json) {
      for (const run of items) process.stdout.write(`${JSON.stringify(run)}\n`);
      return 0;
    }
    if (items.length === 0) {
      process.stdout.write('no runs yet\n');
      return 0;
    }
    const rows = items.map((run) => [
      run.id,
      run.configId ?? '-',
      run.status,
      `${run.mode}${run.dryRun ? ' dry' : ''}`,
      run.startedAt ?? run.createdAt,
      duration(run.durationMs),
      run.startedBy ?? '-',
      String(Object.values(run.counts.situations).reduce((a, b) => a + b, 0)),
      String(run.counts.errors),
    ]);
    process.stdout.write(
      formatTable(
        ['RUN', 'CONFIG', 'STATUS', 'MODE', 'STARTED', 'DURATION', 'BY', 'OBJECTS', 'ERRORS'],
        rows,
      ),
    );
    return 0;
  },
};
