import { ConfigError } from '../config.ts';
import { DatabaseUnavailableError } from '../db/errors.ts';
import { ApiClientError } from './api-client.ts';
import { type Command, formatHelp, parseCommandArgs, UsageError } from './command.ts';
import { LocalServerTokenError } from './local-server.ts';

/** A command of the table: its module is imported only when it runs (or the overview lists it). */
export type CommandEntry = { name: string; load(): Promise<Command> };

export const commands: CommandEntry[] = [
  { name: 'serve', load: async () => (await import('./commands/serve.ts')).serveCommand },
  { name: 'migrate', load: async () => (await import('./commands/migrate.ts')).migrateCommand },
  { name: 'token', load: async () => (await import('./commands/token.ts')).tokenCommand },
  { name: 'run', load: async () => (await import('./commands/run.ts')).runCommand },
  { name: 'plan', load: async () => (await import('./commands/plan.ts')).planCommand },
  { name: 'apply', load: async () => (await import('./commands/apply.ts')).applyCommand },
  { name: 'cancel', load: async () => (await import('./commands/cancel.ts')).cancelCommand },
  { name: 'undo', load: async () => (await import('./commands/undo.ts')).undoCommand },
  { name: 'replay', load: async () => (await import('./commands/replay.ts')).replayCommand },
  { name: 'policy', load: async () => (await import('./commands/policy.ts')).policyCommand },
  { name: 'history', load: async () => (await import('./commands/history.ts')).historyCommand },
  { name: 'events', load: async () => (await import('./commands/events.ts')).eventsCommand },
  { name: 'report', load: async () => (await import('./commands/report.ts')).reportCommand },
  { name: 'system', load: async () => (await import('./commands/system.ts')).systemCommand },
];

async function overview(): Promise<string> {
  const loaded = await Promise.all(commands.map((c) => c.load()));
  const rows = loaded.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`).join('\n');
  return `usage: trueup <command> [options]\n\ncommands:\n${rows}\n\nRun 'trueup <command> --help' for a command's options.\n`;
}

/** Runs one CLI invocation and returns its exit code; `npm start` and `npx trueup` both come here. */
export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(await overview());
    return name ? 0 : 2;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    process.stderr.write(`trueup: unknown command "${name}"\n\n${await overview()}`);
    return 2;
  }
  const command = await entry.load();
  try {
    const args = parseCommandArgs(command, rest);
    if (args.values.help) {
      process.stdout.write(formatHelp(command));
      return 0;
    }
    return await command.run(args);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`trueup ${command.name}: ${error.message}\nusage: trueup ${command.usage}\n`);
      return 2;
    }
    if (error instanceof ConfigError) {
      process.stderr.write(`trueup: configuration error: ${error.message}\n`);
      return 2;
    }
    if (error instanceof DatabaseUnavailableError || error instanceof LocalServerTokenError) {
      process.stderr.write(`trueup: ${error.message}\n`);
      return 1;
    }
    if (error instanceof ApiClientError) {
      process.stderr.write(
        `trueup ${command.name}: the server answered ${error.status} ${error.code}: ${error.message}\n`,
      );
      return 1;
    }
    throw error;
  }
}
