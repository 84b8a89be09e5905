import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const folders = ['server', 'scripts', 'test', 'policies', 'connectors', 'bin', 'docs'];

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (/\.(ts|mjs|md)$/.test(entry.name)) yield path;
  }
}

const headings = (doc: string) =>
  new Set([...readFileSync(join(root, doc), 'utf8').matchAll(/^#+ (.+)$/gm)].map((m) => m[1]));

it('cites only documents in the repository, and sections they have', () => {
  const outside: string[] = [];
  const broken: string[] = [];
  for (const file of folders.flatMap((f) => [...sourceFiles(f)])) {
    if (file === 'test/docs/references.test.ts') continue;
    const text = readFileSync(join(root, file), 'utf8');
    for (const m of text.matchAll(
      /\.\.\/shared\/|(?<![/\w])(?:(?:API|DESIGN|CONVENTIONS)\.md|CONVENTIONS)\b/g,
    )) {
      outside.push(`${file}: ${m[0]}`);
    }
    for (const [, doc, section] of text.matchAll(/\bdocs\/(\w+\.md)(?: "([^"]+)")?/g)) {
      if (!existsSync(join(root, 'docs', doc!))) broken.push(`${file}: docs/${doc} does not exist`);
      else if (section && !headings(`docs/${doc}`).has(section))
        broken.push(`${file}: docs/${doc} has no "${section}"`);
    }
  }
  expect(outside).toEqual([]);
  expect(broken).toEqual([]);
});
