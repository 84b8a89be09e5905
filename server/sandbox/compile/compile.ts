import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { PolicyKind } from '../../core/policy-port.ts';
import type { Diagnostic } from '../../db/schema/policies.ts';
import { bundlePolicy } from './bundle.ts';
import { diskKey, diskSources, type PolicySources } from './sources.ts';
import { sdkDeclarationPath, typecheckPolicy } from './typecheck.ts';

/**
 * A compiled policy. `code` and `sourceMap` are null when any diagnostic is an error; `hash`
 * covers every input file and the SDK, so an unchanged policy maps to the same build.
 */
export type PolicyBuild = {
  path: string;
  hash: string;
  kind: PolicyKind | null;
  code: string | null;
  sourceMap: string | null;
  diagnostics: Diagnostic[];
};

/** Bumped whenever compiled output changes shape, so older builds are not reused. */
const compilerVersion = 'trueup-policy-compiler/1';
const sdkHash = createHash('sha256').update(readFileSync(sdkDeclarationPath)).digest('hex');

export function hasErrors(diagnostics: Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

function contentHash(files: Map<string, string>, display: (key: string) => string): string {
  const hash = createHash('sha256').update(compilerVersion).update('\0').update(sdkHash);
  for (const key of [...files.keys()].sort()) {
    hash.update('\0').update(display(key)).update('\0').update(files.get(key)!);
  }
  return hash.digest('hex');
}

/** Bundles with esbuild, then typechecks against the SDK; bundling errors stop before the typecheck. */
export async function compilePolicy(entryKey: string, sources: PolicySources): Promise<PolicyBuild> {
  const path = sources.display(entryKey);
  const bundled = await bundlePolicy(entryKey, sources);
  if (!bundled.ok) {
    const entrySource = (await sources.read(entryKey)) ?? '';
    const files = new Map([[entryKey, entrySource]]);
    return {
      path,
      hash: contentHash(files, sources.display),
      kind: null,
      code: null,
      sourceMap: null,
      diagnostics: bundled.diagnostics,
    };
  }
  const checked = typecheckPolicy(entryKey, bundled.files, sources.display);
  const failed = hasErrors(checked.diagnostics);
  return {
    path,
    hash: contentHash(bundled.files, sources.display),
    kind: checked.kind,
    code: failed ? null : bundled.code,
    sourceMap: failed ? null : bundled.sourceMap,
    diagnostics: checked.diagnostics,
  };
}

/** Compiles a policy file from disk (the CLI); a missing file is an ordinary diagnostic. */
export async function compilePolicyFile(file: string, cwd = process.cwd()): Promise<PolicyBuild> {
  const sources = diskSources(cwd);
  const key = diskKey(file, cwd);
  if ((await sources.read(key)) === undefined) {
    return {
      path: sources.display(key),
      hash: '',
      kind: null,
      code: null,
      sourceMap: null,
      diagnostics: [
        {
          file: sources.display(key),
          line: 1,
          column: 1,
          message: 'file not found',
          severity: 'error',
          kind: 'compile',
        },
      ],
    };
  }
  return compilePolicy(key, sources);
}
