import { posix } from 'node:path';
import * as esbuild from 'esbuild';
import type { Diagnostic } from '../../db/schema/policies.ts';
import type { PolicySources } from './sources.ts';

/** What `trueup:policy` exports at run time; the sandbox prelude defines each on `__trueupSdk`. */
export const sdkExports = [
  'defineTargetQuery',
  'defineIdmQuery',
  'defineMatchingRule',
  'definePopulation',
  'defineOutboundMapping',
  'definePreProcessor',
  'definePostProcessor',
  'defineSituationCommand',
  'defineCustomProcessor',
  'ldapEscape',
  'ldapEscapeDn',
  'sha256',
  'log',
] as const;

/** The global the bundle assigns its exports to (`.default` is the policy). */
export const bundleGlobal = '__trueupPolicyModule';

const sdkShim = `const sdk = globalThis.__trueupSdk;\n${sdkExports
  .map((name) => `export const ${name} = sdk.${name};`)
  .join('\n')}\n`;

export type BundleResult =
  | { ok: true; code: string; sourceMap: string; files: Map<string, string> }
  | { ok: false; diagnostics: Diagnostic[] };

export const importNotAllowed = (spec: string) =>
  `import "${spec}" is not allowed: a policy may import only "trueup:policy" and relative files ("./…")`;

/**
 * Bundles a policy and its relative imports into one IIFE (platform neutral, ES2022) with an
 * external source map whose sources are the files' display paths. `files` holds every source that
 * went in, for the typecheck and the content hash.
 */
export async function bundlePolicy(entryKey: string, sources: PolicySources): Promise<BundleResult> {
  const files = new Map<string, string>();
  const read = async (key: string) => {
    if (files.has(key)) return files.get(key);
    const text = await sources.read(key);
    if (text !== undefined) files.set(key, text);
    return text;
  };
  const plugin: esbuild.Plugin = {
    name: 'trueup-policy',
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.kind === 'entry-point') return { path: entryKey, namespace: 'policy' };
        if (args.path === 'trueup:policy') return { path: 'trueup:policy', namespace: 'trueup-sdk' };
        if (!args.path.startsWith('./') && !args.path.startsWith('../'))
          return { errors: [{ text: importNotAllowed(args.path) }] };
        const base = posix.resolve(posix.dirname(args.importer), args.path);
        for (const key of base.endsWith('.ts') ? [base] : [`${base}.ts`, `${base}/index.ts`]) {
          if ((await read(key)) !== undefined) return { path: key, namespace: 'policy' };
        }
        return { errors: [{ text: `cannot find "${args.path}" (looked for ${sources.display(base)})` }] };
      });
      build.onLoad({ filter: /.*/, namespace: 'policy' }, async (args) => {
        const contents = await read(args.path);
        if (contents === undefined)
          return { errors: [{ text: `cannot read ${sources.display(args.path)}` }] };
        return { contents, loader: 'ts' };
      });
      build.onLoad({ filter: /.*/, namespace: 'trueup-sdk' }, () => ({ contents: sdkShim, loader: 'js' }));
    },
  };
  try {
    const result = await esbuild.build({
      entryPoints: ['policy'],
      bundle: true,
      write: false,
      format: 'iife',
      globalName: bundleGlobal,
      platform: 'neutral',
      target: 'es2022',
      sourcemap: 'external',
      sourcesContent: true,
      outfile: 'policy.js',
      // Policies are ES modules, so strict: a write to a frozen intrinsic throws instead of vanishing.
      banner: { js: "'use strict';" },
      logLevel: 'silent',
      plugins: [plugin],
    });
    const code = result.outputFiles.find((file) => file.path.endsWith('.js'))!.text;
    const map = JSON.parse(result.outputFiles.find((file) => file.path.endsWith('.map'))!.text);
    map.sources = (map.sources as string[]).map((source) =>
      source.startsWith('policy:') ? sources.display(source.slice('policy:'.length)) : source,
    );
    return { ok: true, code, sourceMap: JSON.stringify(map), files };
  } catch (error) {
    const failure = error as esbuild.BuildFailure;
    if (!Array.isArray(failure.errors)) throw error;
    return {
      ok: false,
      diagnostics: failure.errors.map((message) => toDiagnostic(message, entryKey, sources)),
    };
  }
}

function toDiagnostic(message: esbuild.Message, entryKey: string, sources: PolicySources): Diagnostic {
  const location = message.location;
  const file = location?.file?.startsWith('policy:') ? location.file.slice('policy:'.length) : entryKey;
  const isImport = message.pluginName === 'trueup-policy';
  return {
    file: sources.display(file),
    line: location?.line ?? 1,
    column: (location?.column ?? 0) + 1,
    message: message.text,
    severity: 'error',
    kind: isImport ? 'import' : 'compile',
  };
}
