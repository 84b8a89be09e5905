import { ConfigError } from '../config.ts';
import { DatabaseUnavailableError } from '../db/errors.ts';
import { ApiClientError } from './api-client.ts';
import { type Command, formatHelp, parseCommandArgs, UsageError } from './command.ts';
import { applyCommand } from './commands/apply.ts';
import { cancelCommand } from './commands/cancel.ts';
import { eventsCommand } from './commands/events.ts';
import { historyCommand } from './commands/history.ts';
import { migrateCommand } from './commands/migrate.ts';
import { planCommand } from './commands/plan.ts';
import { policyCommand } from './commands/policy.ts';
import { replayCommand } from './commands/replay.ts';
import { reportCommand } from './commands/report.ts';
import { runCommand } from './commands/run.ts';
import { serveCommand } from './commands/serve.ts';
import { systemCommand } from './commands/system.ts';
import { tokenCommand } from './commands/token.ts';
import { undoCommand } from './commands/undo.ts';
import { LocalServerTokenError } from './local-server.ts';

export const commands: Command[] = [
  serveCommand,
  migrateCommand,
  tokenCommand,
  runCommand,
  planCommand,
  applyCommand,
  cancelCommand,
  undoCommand,
  replayCommand,
  policyCommand,
  historyCommand,
  eventsCommand,
  reportCommand,
  systemCommand,
];

function overview(): string {
  const rows = commands.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`).join('\n');
  return `usage: trueup <command> [options]\n\ncommands:\n${rows}\n\nRun 'trueup <command> --help' for a command's options.\n`;
}

/** Runs one CLI invocation and returns its exit code; `npm start` and `npx trueup` both come here. */
export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(overview());
    return name ? 0 : 2;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`trueup: unknown command "${name}"\n\n${overview()}`);
    return 2;
  }
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
