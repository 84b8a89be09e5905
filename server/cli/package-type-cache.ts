import { readFileSync, realpathSync } from 'node:fs';
import { registerHooks } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Loaded with `--import` before the application (bin/trueup.mjs, vitest.config.ts). To learn a
 * `.js` file's format, Node 24 looks up its package scope, and that lookup (getPackageScopeConfig,
 * which spreads the package's fields) JSON-parses the package's whole `exports` map every time:
 * drizzle-orm's is 130 kB, parsed for each of the hundreds of imports between its own files,
 * about 1.5 CPU-seconds of every process that loads the ORM. This hook answers relative `.js`
 * imports inside node_modules itself, with the file Node would pick (its real path) and the
 * `type` of the nearest package.json, read once per folder. Bare imports (`drizzle-orm/pg-core`)
 * go to Node once per importing folder. Anything else, a missing file or a package without a
 * `type` goes to Node's own resolver.
 */

type Format = 'module' | 'commonjs';

const typeOfFolder = new Map<string, Format | null>();

/** The `type` of the nearest package.json at or above `folder`, as Node's package scope lookup. */
function packageType(folder: string): Format | null {
  const known = typeOfFolder.get(folder);
  if (known !== undefined) return known;
  let type: Format | null;
  let manifest: string | null = null;
  try {
    manifest = readFileSync(path.join(folder, 'package.json'), 'utf8');
  } catch {
    // No package.json here: the scope is the parent's.
  }
  if (manifest !== null) {
    const declared = (JSON.parse(manifest) as { type?: unknown }).type;
    type = declared === 'module' || declared === 'commonjs' ? declared : null;
  } else {
    const parent = path.dirname(folder);
    type = parent === folder || path.basename(folder) === 'node_modules' ? null : packageType(parent);
  }
  typeOfFolder.set(folder, type);
  return type;
}

/** Bare imports (`drizzle-orm`, `zod`) resolved once per importing folder and condition set. */
const bareResolved = new Map<string, { url: string; format?: string | null | undefined }>();

function isBare(specifier: string): boolean {
  return !/^(?:\.{0,2}\/|[a-z][a-z0-9+.-]*:|#)/i.test(specifier);
}

registerHooks({
  resolve(specifier, context, nextResolve) {
    const parent = context.parentURL;
    if (parent?.startsWith('file:') && isBare(specifier)) {
      // Node looks a bare name up in the node_modules folders above the importing folder, so
      // every file of one folder gets the same answer for the same conditions.
      const key = [
        specifier,
        parent.slice(0, parent.lastIndexOf('/')),
        context.conditions.join(','),
        context.importAttributes?.type ?? '',
      ].join('\0');
      let resolved = bareResolved.get(key);
      if (!resolved) {
        const { url, format } = nextResolve(specifier, context);
        resolved = { url, format };
        bareResolved.set(key, resolved);
      }
      return { ...resolved, shortCircuit: true };
    }
    if (
      parent?.startsWith('file:') &&
      parent.includes('/node_modules/') &&
      (specifier.startsWith('./') || specifier.startsWith('../')) &&
      specifier.endsWith('.js')
    ) {
      let file: string | null = null;
      try {
        file = realpathSync.native(fileURLToPath(new URL(specifier, parent)));
      } catch {
        // A missing file: Node's resolver gives the error it always gives.
      }
      const format = file === null ? null : packageType(path.dirname(file));
      if (file !== null && format !== null) {
        return { url: pathToFileURL(file).href, format, shortCircuit: true };
      }
    }
    return nextResolve(specifier, context);
  },
});
