import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The workers load node_modules with Node's own loader: Node's on-disk compile cache spares them
// compiling drizzle, zod, typescript… again in every test file (bin/trueup.mjs does the same for
// the servers the tests start). A value already set wins.
process.env.NODE_COMPILE_CACHE ??= path.join(tmpdir(), 'node-compile-cache');

export default defineConfig({
  test: {
    include: ['server/**/*.test.ts', 'test/**/*.test.ts', 'scripts/**/*.test.ts'],
    pool: 'forks',
    // Most test files wait on databases, child servers and browsers rather than the CPU: vitest's
    // default (cores - 1) runs one file at a time on a 2-core machine.
    maxWorkers: 4,
    // The package-type cache: node_modules loads without Node re-parsing drizzle-orm's exports
    // map for every import inside it (server/cli/package-type-cache.ts).
    execArgv: [
      '--no-node-snapshot',
      '--import',
      fileURLToPath(new URL('./server/cli/package-type-cache.ts', import.meta.url)),
    ],
    globalSetup: ['./test/global-setup.ts'],
    // A hang guard, not a speed check: files run four at a time, and several start real servers.
    testTimeout: 90_000,
    hookTimeout: 120_000,
    // The ten slowest files are printed after the summary.
    reporters: ['default', './test/vitest/slowest-files-reporter.ts'],
  },
});
