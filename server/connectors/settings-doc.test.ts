import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { builtinRegistry } from './index.ts';
import { settingsDoc, withSettingsDoc } from './settings-doc.ts';

describe('docs/connectors.md', () => {
  it("lists every built-in type's settings as the definitions have them (npm run docs:connectors)", () => {
    const doc = readFileSync(new URL('../../docs/connectors.md', import.meta.url), 'utf8');
    expect(withSettingsDoc(doc, settingsDoc(builtinRegistry.describe()))).toBe(doc);
    for (const type of builtinRegistry.types()) expect(doc).toContain(`### \`${type}\``);
  });
});
