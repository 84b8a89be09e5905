// Writes the settings tables of docs/connectors.md from the built-in connector definitions.
// `npm run docs:connectors` rewrites them; the test server/connectors/settings-doc.test.ts fails
// when the doc and the definitions disagree.
import { readFileSync, writeFileSync } from 'node:fs';
import { builtinRegistry } from '../server/connectors/index.ts';
import { settingsDoc, withSettingsDoc } from '../server/connectors/settings-doc.ts';

const path = new URL('../docs/connectors.md', import.meta.url);
const doc = readFileSync(path, 'utf8');
const next = withSettingsDoc(doc, settingsDoc(builtinRegistry.describe()));
if (next !== doc) writeFileSync(path, next);
process.stdout.write(next === doc ? 'docs/connectors.md is current\n' : 'docs/connectors.md rewritten\n');
