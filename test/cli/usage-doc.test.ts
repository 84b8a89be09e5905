import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { commands } from '../../server/cli/main.ts';

it("docs/api.md gives every command's usage line exactly as `trueup <command> --help` prints it", async () => {
  const loaded = await Promise.all(commands.map((entry) => entry.load()));
  // The table's names are the names the loaded commands answer to.
  expect(loaded.map((c) => c.name)).toEqual(commands.map((entry) => entry.name));
  const doc = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
  const documented = [...doc.matchAll(/^- `([a-z]+)( [^`]*)?` — /gm)].map((m) => m[1]);
  expect(documented).toEqual(
    loaded.map((c) => c.name).sort((a, b) => documented.indexOf(a) - documented.indexOf(b)),
  );
  for (const command of loaded) expect(doc).toContain(`- \`${command.usage}\` — `);
});
