import type { Reporter, TestModule, Vitest } from 'vitest/node';

/** How many files the summary names. */
const shown = 10;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * Prints the ten slowest test files after the run's summary: where the suite's time goes, so the
 * next slow file is seen the day it lands. A file's time is its import plus its tests and hooks.
 */
export default class SlowestFilesReporter implements Reporter {
  private vitest: Vitest | undefined;

  onInit(vitest: Vitest) {
    this.vitest = vitest;
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>) {
    const files = testModules
      .map((module) => {
        const { collectDuration, duration } = module.diagnostic();
        return { file: module.relativeModuleId, imported: collectDuration, ran: duration };
      })
      .sort((a, b) => b.imported + b.ran - (a.imported + a.ran))
      .slice(0, shown);
    if (files.length === 0) return;
    const width = Math.max(...files.map((f) => f.file.length));
    const lines = files.map(
      (f) =>
        `  ${seconds(f.imported + f.ran).padStart(8)}  ${f.file.padEnd(width)}  (import ${seconds(f.imported)}, tests ${seconds(f.ran)})`,
    );
    const log = this.vitest?.logger.log.bind(this.vitest.logger) ?? console.log;
    log(`\n The ${files.length} slowest test files:\n${lines.join('\n')}\n`);
  }
}
