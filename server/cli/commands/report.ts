import { type Config, loadConfig } from '../../config.ts';
import { type Command, UsageError } from '../command.ts';
import { findLocalServer, type LocalServer } from '../local-server.ts';

const formats = ['html', 'csv'] as const;
type Format = (typeof formats)[number];

async function writeOut(chunk: string | Uint8Array) {
  if (!process.stdout.write(chunk)) await new Promise((done) => process.stdout.once('drain', done));
}

async function fromDatabase(config: Config, runId: string, format: Format | undefined): Promise<boolean> {
  const { withLocalServices } = await import('../local-services.ts');
  return withLocalServices(config, async (services) => {
    const found = await services.reports.report(runId, format);
    switch (found.outcome) {
      case 'found':
        for await (const chunk of found.report.chunks()) await writeOut(chunk);
        return true;
      case 'run_not_found':
        return false;
    }
  });
}

/** The same, from the server that holds the embedded database. */
async function throughServer(
  server: LocalServer,
  runId: string,
  format: Format | undefined,
): Promise<boolean> {
  const { ApiClientError, createApiClient } = await import('../api-client.ts');
  const query = format ? `?format=${format}` : '';
  try {
    const response = await createApiClient(server).stream(
      `/api/runs/${encodeURIComponent(runId)}/report${query}`,
    );
    for await (const chunk of response.body ?? []) await writeOut(chunk);
    return true;
  } catch (error) {
    if (error instanceof ApiClientError && error.status === 404) return false;
    throw error;
  }
}

export const reportCommand: Command = {
  name: 'report',
  summary: "Write a run's report (HTML or CSV) to stdout.",
  usage: 'report <runId> [--format html|csv]',
  help: [
    'options:',
    "  --format html|csv  the report's format (default: the config's reportFormat)",
    '',
    'The same report as GET /api/runs/:id/report and the completion mail attachment.',
    'Exit codes: 0 success, 1 no such run, 2 bad usage.',
  ].join('\n'),
  options: { help: { type: 'boolean', short: 'h' }, format: { type: 'string' } },
  async run({ values, positionals }) {
    const [runId, ...extra] = positionals;
    if (!runId) throw new UsageError('a run id is required');
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const format = values.format;
    if (format !== undefined && !(formats as readonly unknown[]).includes(format)) {
      throw new UsageError(`--format must be html or csv (got "${format}")`);
    }
    const config = loadConfig();
    const server = findLocalServer(config);
    const found = server
      ? await throughServer(server, runId, format as Format | undefined)
      : await fromDatabase(config, runId, format as Format | undefined);
    if (!found) {
      process.stderr.write(`trueup report: no run "${runId}"\n`);
      return 1;
    }
    return 0;
  },
};
