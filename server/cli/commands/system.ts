import { type Config, loadConfig } from '../../config.ts';
import type { ConnectionTest } from '../../core/connector-port.ts';
import { unhandled } from '../../services/outcomes.ts';
import { type Command, UsageError } from '../command.ts';
import { findLocalServer, type LocalServer } from '../local-server.ts';

/** The connection test's answer, or null when there is no such system. */
async function testFromDatabase(config: Config, systemId: string): Promise<ConnectionTest | null> {
  const { withLocalServices } = await import('../local-services.ts');
  const tested = await withLocalServices(config, (services) => services.systems.test(systemId));
  switch (tested.outcome) {
    case 'tested':
      return tested.result;
    case 'not_found':
      return null;
    default:
      return unhandled(tested);
  }
}

/** The same, asked of the server that holds the embedded database. */
async function testThroughServer(server: LocalServer, systemId: string): Promise<ConnectionTest | null> {
  const { ApiClientError, createApiClient } = await import('../api-client.ts');
  try {
    return await createApiClient(server).json<ConnectionTest>(
      'POST',
      `/api/systems/${encodeURIComponent(systemId)}/test`,
    );
  } catch (error) {
    if (error instanceof ApiClientError && error.status === 404) return null;
    throw error;
  }
}

export const systemCommand: Command = {
  name: 'system',
  summary: "Test a managed system's connection.",
  usage: 'system test <systemId>',
  help: [
    'Connects with the stored settings and secrets and prints what the connector found.',
    '',
    'Exit codes: 0 the connection works, 1 it does not, 2 bad usage or no such system.',
  ].join('\n'),
  options: { help: { type: 'boolean', short: 'h' } },
  async run({ positionals }) {
    const [sub, systemId, ...extra] = positionals;
    if (sub !== 'test') throw new UsageError(sub ? `unknown subcommand "${sub}"` : 'missing subcommand');
    if (!systemId) throw new UsageError('a system id is required');
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const config = loadConfig();
    const server = findLocalServer(config);
    const result = server
      ? await testThroughServer(server, systemId)
      : await testFromDatabase(config, systemId);
    if (!result) {
      process.stderr.write(`trueup system: no managed system "${systemId}"\n`);
      return 2;
    }
    const { ok, message, details } = result;
    process.stdout.write(`${ok ? 'ok' : 'not ok'}: ${message}\n`);
    for (const [name, value] of Object.entries(details ?? {})) {
      process.stdout.write(`  ${name}: ${typeof value === 'string' ? value : JSON.stringify(value)}\n`);
    }
    return ok ? 0 : 1;
  },
};
