import { runCli } from './main.ts';

process.exitCode = await runCli(process.argv.slice(2));
if (process.exitCode !== 0 || process.argv[2] === 'serve') process.exit();
