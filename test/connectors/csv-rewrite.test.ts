import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnector } from '../../server/connectors/index.ts';
import type { Account } from '../../server/core/model.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trueup-csv-rewrite-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function csvSystem(name: string, text: string) {
  const path = join(dir, name);
  await writeFile(path, text);
  const connector = createConnector({ type: 'csv', uniqueFieldKey: 'id', connection: { path }, secrets: {} });
  return { path, connector };
}

async function accountsOf(connector: ReturnType<typeof createConnector>): Promise<Account[]> {
  const accounts: Account[] = [];
  for await (const page of connector.search({})) accounts.push(...page.accounts);
  return accounts;
}

describe('CSV connector: a rewrite copies what it does not change', () => {
  it('keeps untouched rows byte for byte, quoted fields with line breaks included', async () => {
    const text =
      'id,name,note\r\n"1","Ann",plain\r\n2,"Bob, Jr.","two\r\nlines, and ""quotes"""\r\n\r\n3,Cy,x\r\n';
    const { path, connector } = await csvSystem('keep.csv', text);
    expect(await connector.write([{ op: 'update', key: '3', patch: { note: 'y' } }])).toEqual([{ ok: true }]);
    expect(await readFile(path, 'utf8')).toBe(text.replace('3,Cy,x', '3,Cy,y'));
  });

  it('finds a key written in quotes, and rewrites only that row', async () => {
    const { path, connector } = await csvSystem('quoted-key.csv', 'id,name,note\n"1","Ann","a"\n2,Bob,b\n');
    await connector.write([{ op: 'update', key: '1', patch: { name: 'Ann, changed' } }]);
    expect(await readFile(path, 'utf8')).toBe('id,name,note\n1,"Ann, changed",a\n2,Bob,b\n');
  });

  it('starts a created row on a new line when the last line has no line break', async () => {
    const { path, connector } = await csvSystem('no-eol.csv', 'id,name,note\n1,Ann,a');
    await connector.write([{ op: 'create', key: '2', attributes: { name: 'Bob' } }]);
    expect(await readFile(path, 'utf8')).toBe('id,name,note\n1,Ann,a\n2,Bob,\n');
  });

  it('names the line of a malformed quoted record and leaves the file alone', async () => {
    const text = 'id,name,note\n1,"two\nlines",a\n2,B"ob,b\n3,"open,c\n';
    const { path, connector } = await csvSystem('bad-quote.csv', text);
    expect(await connector.write([{ op: 'delete', key: '1' }])).toEqual([
      { ok: false, message: expect.stringMatching(/^line 4 is malformed \(.+\); fix it before writing$/) },
    ]);
    expect(await readFile(path, 'utf8')).toBe(text);
  });

  it('reads back every record of a file larger than one read chunk after a rewrite', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) =>
      i % 7 === 0 ? `${i},"Name ${i}","a note\nover two lines, with ""quotes"""` : `${i},Name ${i},note ${i}`,
    );
    const { connector } = await csvSystem('large.csv', `id,name,note\n${rows.join('\n')}\n`);
    const before = await accountsOf(connector);
    const results = await connector.write([
      { op: 'update', key: '14', patch: { name: 'Fourteen' } },
      { op: 'delete', key: '4999' },
      { op: 'create', key: '5000', attributes: { name: 'New', note: 'multi\nline' } },
    ]);
    expect(results.every((r) => r.ok)).toBe(true);
    const after = await accountsOf(connector);
    const expected = before
      .filter((a) => a.key !== '4999')
      .map((a) => (a.key === '14' ? { ...a, attributes: { ...a.attributes, name: 'Fourteen' } } : a))
      .concat([{ key: '5000', attributes: { id: '5000', name: 'New', note: 'multi\nline' } }]);
    expect(after).toEqual(expected);
  });
});
