#!/usr/bin/env node
// Starts the CLI on the Node 24 that the `node` dependency pins, whatever `node` ran this file
// (the system one may be older), with --no-node-snapshot for isolated-vm. A stopped launcher
// stops the server gracefully, however it is stopped:
// - SIGINT/SIGTERM/SIGHUP are passed on to the child;
// - the child holds an IPC channel to this process: if this process dies without a word (kill -9),
//   the channel closes and the child shuts down as on SIGTERM (server/cli/entry.ts);
// - if whoever started this process dies (npm's `sh -c` takes SIGTERM but does not pass it on),
//   this process sees its parent change and stops the child the same way.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
let nodeBinary;
try {
  nodeBinary = path.join(path.dirname(require.resolve('node/package.json')), 'bin', 'node');
} catch {
  process.stderr.write('trueup: the pinned Node runtime is missing; run `npm install` first\n');
  process.exit(1);
}

const child = spawn(
  nodeBinary,
  [
    '--no-node-snapshot',
    '--disable-warning=ExperimentalWarning',
    // Before anything else: node_modules' relative imports resolved without re-parsing each
    // package's exports map (server/cli/package-type-cache.ts), two CPU-seconds of every start.
    '--import',
    pathToFileURL(path.join(root, 'server/cli/package-type-cache.ts')).href,
    path.join(root, 'server/cli/entry.ts'),
    ...process.argv.slice(2),
  ],
  {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    // Node's on-disk compile cache (as tsc uses it): a later start reuses the compiled modules, a
    // quarter less CPU for every command. The child's sandbox workers inherit it. A value set
    // here wins; NODE_DISABLE_COMPILE_CACHE=1 turns it off.
    env: { NODE_COMPILE_CACHE: path.join(tmpdir(), 'node-compile-cache'), ...process.env },
  },
);
const passedOn = new Set();
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    passedOn.add(signal);
    child.kill(signal);
  });
}
const parent = process.ppid;
const orphaned = setInterval(() => {
  if (process.ppid !== parent) {
    clearInterval(orphaned);
    child.kill('SIGTERM');
  }
}, 500);
orphaned.unref();
child.on('exit', (code, signal) => {
  // A signal this launcher did not pass on (the OOM killer's SIGKILL, say) is said, not silent.
  if (signal && !passedOn.has(signal)) process.stderr.write(`trueup: the process was ended by ${signal}\n`);
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
