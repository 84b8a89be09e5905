import { compilePolicyFile, hasErrors } from '../../sandbox/compile/compile.ts';
import { formatDiagnostic } from '../../sandbox/format.ts';

/** `trueup policy check <file...>`: diagnostics on stderr, one line per clean file on stdout. */
export async function checkPolicyFiles(files: string[]): Promise<number> {
  let failed = false;
  for (const file of files) {
    const build = await compilePolicyFile(file);
    for (const diagnostic of build.diagnostics) {
      process.stderr.write(`${formatDiagnostic(diagnostic, build.path)}\n`);
    }
    if (hasErrors(build.diagnostics)) failed = true;
    else process.stdout.write(`${build.path}: ok (${build.kind ?? 'helper module'})\n`);
  }
  return failed ? 1 : 0;
}
