import { readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Where a policy's files come from. Keys are absolute POSIX paths: the bundler and the typecheck
 * both address files by key, and people read them by `display(key)`.
 */
export type PolicySources = {
  read(key: string): Promise<string | undefined>;
  display(key: string): string;
};

const segment = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/** A stored policy's path: relative, `/`-separated, plain names, ending in `.ts`. */
export function checkPolicyPath(policyPath: string): string | undefined {
  if (policyPath.length === 0 || policyPath.length > 200) return 'must be 1 to 200 characters long';
  if (!policyPath.endsWith('.ts')) return 'must end in .ts';
  const parts = policyPath.split('/');
  const bad = parts.find((part) => !segment.test(part));
  if (bad !== undefined)
    return `has a bad segment "${bad}": use letters, digits, ".", "_" and "-", separated by "/"`;
  return undefined;
}

/**
 * Sources of stored policies: the saved file itself, and its relative imports among the other
 * stored policies (`lookup`), never anything outside them.
 */
export function storedSources(
  entryPath: string,
  entrySource: string,
  lookup: (policyPath: string) => Promise<string | undefined>,
): PolicySources {
  return {
    async read(key) {
      const policyPath = key.slice(1);
      if (policyPath === entryPath) return entrySource;
      if (checkPolicyPath(policyPath) !== undefined) return undefined;
      return lookup(policyPath);
    },
    display: (key) => key.slice(1),
  };
}

export function storedKey(policyPath: string): string {
  return `/${policyPath}`;
}

/** Sources on disk, for `trueup policy check|run`: shown relative to the working directory. */
export function diskSources(cwd = process.cwd()): PolicySources {
  return {
    async read(key) {
      try {
        return await readFile(key, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    display: (key) => path.relative(cwd, key) || key,
  };
}

export function diskKey(file: string, cwd = process.cwd()): string {
  return path.resolve(cwd, file).split(path.sep).join('/');
}
