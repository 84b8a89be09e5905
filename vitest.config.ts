import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['server/**/*.test.ts', 'test/**/*.test.ts', 'scripts/**/*.test.ts'],
    pool: 'forks',
    // Most test files wait on databases, child servers and browsers rather than the CPU: vitest's
    // default (cores - 1) runs one file at a time on a 2-core machine.
    maxWorkers: 4,
    execArgv: ['--no-node-snapshot'],
    globalSetup: ['./test/global-setup.ts'],
    // A hang guard, not a speed check: files run four at a time, and several start real servers.
    testTimeout: 90_000,
    hookTimeout: 120_000,
    // The ten slowest files are printed after the summary.
    reporters: ['default', './test/vitest/slowest-files-reporter.ts'],
  },
});
