import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { commands } from '../../server/cli/main.ts';

it("docs/api.md gives every command's usage line exactly as `trueup <command> --help` prints it", () => {
  const doc = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
  const documented = [...doc.matchAll(/^- `([a-z]+)( [^`]*)?` — /gm)].map((m) => m[1]);
  expect(documented).toEqual(
    commands.map((c) => c.name).sort((a, b) => documented.indexOf(a) - documented.indexOf(b)),
  );
  for (const command of commands) expect(doc).toContain(`- \`${command.usage}\` — `);
});
