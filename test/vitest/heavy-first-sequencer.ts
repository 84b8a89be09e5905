import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Files that spawn trueup processes, browsers or big runs take minutes where most take seconds.
 * Started first, they run beside the many short files instead of alone at the end.
 */
const heavy = [/^test\/cli\//, /\.(browser|e2e)\.test\.ts$/, /^test\/runs\/bounded-memory\.test\.ts$/];

/**
 * Vitest's order (failed first, then longest first when an earlier run on this checkout left
 * durations; largest file first on a fresh clone), with the heavy files moved to the front.
 */
export default class HeavyFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const root = this.ctx.config.root;
    const isHeavy = (file: TestSpecification) =>
      heavy.some((pattern) => pattern.test(path.relative(root, file.moduleId).split(path.sep).join('/')));
    return [...sorted.filter(isHeavy), ...sorted.filter((file) => !isHeavy(file))];
  }
}
