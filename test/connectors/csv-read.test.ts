import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnector, parseConnection } from '../../server/connectors/index.ts';
import type { Connector, Page, SearchRequest } from '../../server/core/connector-port.ts';
import type { Account } from '../../server/core/model.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trueup-csv-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function csvSystem(name: string, bytes: Buffer | string, connection: Record<string, unknown> = {}) {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return createConnector({
    type: 'csv',
    uniqueFieldKey: 'id',
    connection: { path, ...connection },
    secrets: {},
  });
}

async function pages(connector: Connector, request: SearchRequest = {}): Promise<Page[]> {
  const all: Page[] = [];
  for await (const page of connector.search(request)) all.push(page);
  return all;
}

const accountsOf = (all: Page[]): Account[] => all.flatMap((page) => page.accounts);

describe('CSV connector: reading', () => {
  it('streams a UTF-8 file in pages, with quoted delimiters and line breaks', async () => {
    const rows = Array.from({ length: 7 }, (_, i) => `${i},user${i},"Smith, ""J"" ${i}"`);
    const connector = await csvSystem('plain.csv', `id,login,name\n${rows.join('\n')}\n5b,x,"two\nlines"\n`);
    const all = await pages(connector, { pageSize: 3 });
    expect(all.map((page) => page.accounts.length)).toEqual([3, 3, 2]);
    expect(accountsOf(all)[1]).toEqual({
      key: '1',
      attributes: { id: '1', login: 'user1', name: 'Smith, "J" 1' },
    });
    expect(accountsOf(all)[7]?.attributes.name).toBe('two\nlines');
  });

  it.each([
    ['utf8 with a BOM', 'utf8', true],
    ['utf8 without a BOM', 'utf8', false],
    ['utf16le with a BOM', 'utf16le', true],
    ['utf16le without a BOM', 'utf16le', false],
    ['latin1', 'latin1', false],
  ] as const)('decodes %s and strips the BOM', async (_, encoding, bom) => {
    const text = 'id;name\r\n1;Zoë Ångström\r\n2;Łukasz\r\n'.replace(
      'Łukasz',
      encoding === 'latin1' ? 'Jürgen' : 'Łukasz',
    );
    const bytes = iconv.encode(text, encoding, { addBOM: bom });
    const connector = await csvSystem(`enc-${encoding}-${bom}.csv`, bytes, { encoding, delimiter: ';' });
    const accounts = accountsOf(await pages(connector));
    expect(accounts.map((a) => a.key)).toEqual(['1', '2']);
    expect(accounts[0]?.attributes).toEqual({ id: '1', name: 'Zoë Ångström' });
    expect(accounts[1]?.attributes.name).toBe(encoding === 'latin1' ? 'Jürgen' : 'Łukasz');
    expect(await connector.schema()).toEqual([
      { name: 'id', type: 'string' },
      { name: 'name', type: 'string' },
    ]);
  });

  it('reads a file without a header row using the configured columns, and a custom quote', async () => {
    const connector = await csvSystem('noheader.csv', "1|'a|b'\n2|c\n", {
      header: false,
      columns: ['id', 'name'],
      delimiter: '|',
      quote: "'",
    });
    expect(accountsOf(await pages(connector)).map((a) => a.attributes.name)).toEqual(['a|b', 'c']);
  });

  it('reports a malformed row with its line number and goes on', async () => {
    const connector = await csvSystem('bad.csv', 'id,name\n1,a\n2,b,extra\n3,"c\n4,d\n');
    const all = await pages(connector);
    // Line 4 opens a quote that line 5, a record of its own, shows to be stray: 5 is still read.
    expect(accountsOf(all).map((a) => a.key)).toEqual(['1', '4']);
    const problems = all.flatMap((page) => page.problems);
    expect(problems).toEqual([
      { line: 3, message: 'line 3 has 3 fields; the file has 2 columns' },
      {
        line: 4,
        message:
          'line 4 opens a quoted field in column 2 that does not close before line 5, a record of its own',
      },
    ]);
    const second = await csvSystem('bad2.csv', 'id,name\n1,a\n2,b,extra\n\n,nokey\n4,d\n');
    const again = await pages(second);
    expect(accountsOf(again).map((a) => a.key)).toEqual(['1', '4']);
    expect(again.flatMap((page) => page.problems).map((p) => p.line)).toEqual([3, 5]);
    expect(again.flatMap((page) => page.problems)[1]?.message).toBe(
      'line 5 has an empty "id" (the unique field key)',
    );
  });

  it('returns only the policy map attributes plus the key, and honours where filters', async () => {
    const connector = await csvSystem('filter.csv', 'id,name,dept,mail\n1,a,eng,\n2,b,ops,b@x\n3,c,hr,c@x\n');
    const all = await pages(connector, {
      query: { type: 'csv', where: { dept: ['eng', 'hr'] } },
      attributes: ['mail'],
    });
    expect(accountsOf(all)).toEqual([
      { key: '1', attributes: { id: '1', mail: null } },
      { key: '3', attributes: { id: '3', mail: 'c@x' } },
    ]);
    await expect(pages(connector, { attributes: ['nope'] })).rejects.toThrow('the file has no column "nope"');
    await expect(pages(connector, { query: { type: 'sql', text: 'x', params: [] } })).rejects.toThrow(
      'a csv system takes a csv query, not sql',
    );
  });

  it('returns rows changed at or after the watermark and reports the highest one seen', async () => {
    const text = 'id,updatedAt\n1,2026-01-01T00:00:00Z\n2,2026-03-01T00:00:00Z\n3,2026-02-01T00:00:00Z\n';
    const connector = await csvSystem('wm.csv', text, { watermarkColumn: 'updatedAt' });
    const full = await pages(connector);
    expect(full.at(-1)?.watermark).toBe('2026-03-01T00:00:00Z');
    const delta = await pages(connector, { watermark: '2026-02-01T00:00:00Z' });
    expect(accountsOf(delta).map((a) => a.key)).toEqual(['2', '3']);
    const none = await pages(connector, { watermark: '2026-03-01T00:00:01Z' });
    expect(accountsOf(none)).toEqual([]);
    expect(none.at(-1)?.watermark).toBe('2026-03-01T00:00:01Z');
  });

  it('test() explains a missing file, a missing key column and success', async () => {
    const missing = createConnector({
      type: 'csv',
      uniqueFieldKey: 'id',
      connection: { path: join(dir, 'nope.csv') },
      secrets: {},
    });
    expect(await missing.test()).toEqual({
      ok: false,
      message: `the file ${join(dir, 'nope.csv')} does not exist: upload it (POST /api/systems/:id/file) or fix the path in the system's connection`,
    });
    const noKey = await csvSystem('nokey.csv', 'login,name\na,b\n');
    expect((await noKey.test()).message).toMatch(
      /has no column "id" \(the unique field key\); it has: login, name$/,
    );
    const good = await csvSystem('good.csv', 'id,name\n1,a\n');
    expect(await good.test()).toMatchObject({ ok: true, details: { columns: ['id', 'name'] } });
  });

  it('parseConnection fills defaults and names the bad field', () => {
    expect(parseConnection('csv', { path: '/x.csv' })).toEqual({
      connection: {
        path: '/x.csv',
        delimiter: ',',
        header: true,
        quote: '"',
        encoding: 'utf8',
        maxRecordBytes: 1_048_576,
      },
      secrets: {},
    });
    expect(() => parseConnection('csv', { path: '/x.csv', header: false })).toThrow(
      'columns: is required when header is false',
    );
    expect(() => parseConnection('csv', { path: '/x.csv', encoding: 'ebcdic' })).toThrow(/^encoding: /);
    expect(() => parseConnection('csv', { path: '/x.csv', delimiter: ';;' })).toThrow(
      'delimiter: the delimiter must be one character',
    );
    expect(() => parseConnection('csv', { path: '/x.csv', extra: 1 })).toThrow(
      'extra: is not a setting of this connector',
    );
  });
});
