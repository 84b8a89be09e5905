import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';
import { policyFilename } from './worker/protocol.ts';

export type MappedStack = {
  /** The first policy frame, in the policy's TypeScript. */
  file?: string;
  line?: number;
  column?: number;
  /** Only the policy's own frames, as `    at fn (file.ts:line:col)`. */
  stack: string;
};

const framePattern = /^\s*at (?:(.*?) \()?([^()\s]+):(\d+):(\d+)\)?$/;

/** Maps V8 stack frames of a bundle back to the policy's TypeScript files. */
export function createStackMapper(sourceMap: string) {
  const map = new TraceMap(sourceMap);
  return function mapStack(stack: string | undefined): MappedStack {
    const frames: string[] = [];
    let first: Omit<MappedStack, 'stack'> | undefined;
    for (const line of (stack ?? '').split('\n')) {
      const match = framePattern.exec(line);
      if (!match || match[2] !== policyFilename) continue;
      const position = originalPositionFor(map, { line: Number(match[3]), column: Number(match[4]) - 1 });
      if (position.source === null || position.line === null) continue;
      const where = `${position.source}:${position.line}:${position.column + 1}`;
      const name = match[1] && !match[1].startsWith('Object.') ? match[1] : position.name;
      frames.push(name ? `    at ${name} (${where})` : `    at ${where}`);
      first ??= { file: position.source, line: position.line, column: position.column + 1 };
    }
    return { ...first, stack: frames.join('\n') };
  };
}

export type StackMapper = ReturnType<typeof createStackMapper>;
