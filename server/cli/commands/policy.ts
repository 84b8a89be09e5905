import { type Command, UsageError } from '../command.ts';

export const policyCommand: Command = {
  name: 'policy',
  summary: 'Check policy files, or run one on a sample input.',
  usage: 'policy check <file...> | policy run <file> --input <json file | ->',
  help: [
    'policy check <file...>       compile and typecheck each file against the SDK; prints',
    '                             file:line:col diagnostics and exits 1 on any error',
    'policy run <file> --input F  run the policy on the sample ctx in JSON file F ("-" = stdin);',
    '                             optional parts (system, vars, idmObject, ...) may be left out.',
    '                             Prints the JSON result; exits 1 with the error and its line.',
    '',
    'Policies run in the sandbox with SANDBOX_MEMORY_MB and SANDBOX_TIMEOUT_MS; no database is used.',
  ].join('\n'),
  options: { help: { type: 'boolean', short: 'h' }, input: { type: 'string', short: 'i' } },
  async run(args) {
    const [sub, ...files] = args.positionals;
    if (sub === 'check') {
      if (files.length === 0) throw new UsageError('name at least one policy file to check');
      if (args.values.input !== undefined) throw new UsageError('--input belongs to "policy run"');
      const { checkPolicyFiles } = await import('./policy-check.ts');
      return checkPolicyFiles(files);
    }
    if (sub === 'run') {
      if (files.length !== 1) throw new UsageError('name exactly one policy file to run');
      const input = args.values.input;
      if (typeof input !== 'string') throw new UsageError('--input <json file | -> is required');
      const { runPolicyFile } = await import('./policy-run.ts');
      return runPolicyFile(files[0]!, input);
    }
    throw new UsageError(sub ? `unknown policy subcommand "${sub}"` : 'say "check" or "run"');
  },
};
