import { type ParseArgsConfig, parseArgs } from 'node:util';

export type Options = NonNullable<ParseArgsConfig['options']>;
export type Parsed = {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
};

/** A CLI command. `run` returns the exit code: 0 success, 1 failure, 2 bad usage or config, 3 threshold. */
export type Command = {
  name: string;
  summary: string;
  usage: string;
  help: string;
  options: Options;
  run(args: Parsed): Promise<number>;
};

/** Bad usage: printed with the command's usage line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseCommandArgs(command: Command, argv: string[]): Parsed {
  try {
    return parseArgs({ args: argv, options: command.options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function formatHelp(command: Command): string {
  const lines = [`usage: trueup ${command.usage}`, '', command.summary];
  if (command.help) lines.push('', command.help);
  return `${lines.join('\n')}\n`;
}
