import { survivePostgresTypeFetch } from '../db/postgres-type-fetch.ts';
import { runCli } from './main.ts';

survivePostgresTypeFetch((line) => process.stderr.write(`${line}\n`));

// Started by bin/trueup.mjs with an IPC channel: when the launcher dies, even by kill -9, the
// channel closes and this process stops as if it had been sent SIGTERM. The channel itself must
// not keep a finished command alive.
if (process.channel) {
  process.channel.unref();
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}

process.exitCode = await runCli(process.argv.slice(2));
if (process.exitCode !== 0 || process.argv[2] === 'serve') process.exit();
