import { readFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { parseEnv } from '../../config.ts';
import { compilePolicyFile, hasErrors } from '../../sandbox/compile/compile.ts';
import { createExecutor } from '../../sandbox/execute.ts';
import { formatDiagnostic, formatPolicyError } from '../../sandbox/format.ts';
import { runSample, SampleInputError } from '../../sandbox/sample-input.ts';
import { createSandbox } from '../../sandbox/supervisor.ts';
import { UsageError } from '../command.ts';

async function readInput(source: string): Promise<unknown> {
  let raw: string;
  try {
    raw = source === '-' ? await text(process.stdin) : await readFile(source, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --input ${source}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(raw);
  } catch (error) {
    throw new UsageError(
      `--input ${source === '-' ? '(stdin)' : source} is not JSON: ${(error as Error).message}`,
    );
  }
}

/**
 * `trueup policy run <file> --input <json|->`: compiles the file, runs it once in a sandbox worker
 * of its own (no database), prints the JSON result. Only SANDBOX_* settings are read, so running
 * a policy creates no data directory.
 */
export async function runPolicyFile(file: string, inputSource: string): Promise<number> {
  const env = parseEnv(process.env);
  const input = await readInput(inputSource);
  const build = await compilePolicyFile(file);
  for (const diagnostic of build.diagnostics)
    process.stderr.write(`${formatDiagnostic(diagnostic, build.path)}\n`);
  if (hasErrors(build.diagnostics)) return 1;
  if (!build.kind || !build.code || !build.sourceMap) {
    process.stderr.write(`${build.path}: a helper module (no default export) is not a policy to run\n`);
    return 1;
  }
  const sandbox = createSandbox({ memoryMb: env.SANDBOX_MEMORY_MB, timeoutMs: env.SANDBOX_TIMEOUT_MS });
  try {
    const runnable = {
      path: build.path,
      hash: build.hash,
      kind: build.kind,
      code: build.code,
      sourceMap: build.sourceMap,
    };
    const outcome = await runSample(createExecutor(sandbox), runnable, input);
    if (!outcome.ok) {
      process.stderr.write(`${formatPolicyError(outcome.error)}\n`);
      return 1;
    }
    process.stdout.write(`${JSON.stringify(outcome.output, null, 2)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof SampleInputError) {
      process.stderr.write(`trueup policy run: ${error.message}\n`);
      return 2;
    }
    throw error;
  } finally {
    await sandbox.close();
  }
}
