import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnector } from '../../server/connectors/index.ts';
import { sameValue } from '../../server/core/attribute-sync.ts';
import type { Connector, Page, WriteOp } from '../../server/core/connector-port.ts';

let dir: string;
async function collectPages(connector: Connector): Promise<Page[]> {
  const pages: Page[] = [];
  for await (const page of connector.search({})) pages.push(page);
  return pages;
}
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trueup-csv-write-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function csvSystem(name: string, bytes: Buffer | string, connection: Record<string, unknown> = {}) {
  const path = join(dir, name);
  await writeFile(path, bytes);
  const connector = createConnector({
    type: 'csv',
    uniqueFieldKey: 'id',
    connection: { path, disabledColumn: 'enabled', disabledValue: 'false', ...connection },
    secrets: {},
  });
  return { path, connector };
}

const batch: WriteOp[] = [
  { op: 'create', key: '4', attributes: { name: 'Dörte, new', enabled: 'true' } },
  { op: 'update', key: '1', patch: { name: 'Ann "the" First' } },
  { op: 'disable', key: '2' },
  { op: 'delete', key: '3' },
];

describe('CSV connector: writing', () => {
  it('applies a batch by one atomic rewrite and leaves no temporary file', async () => {
    const { path, connector } = await csvSystem(
      'w.csv',
      'id,name,enabled\n1,Ann,true\n2,Bob,true\n3,Cy,true\n',
    );
    const before = await stat(path);
    expect(await connector.write(batch)).toEqual(batch.map(() => ({ ok: true })));
    expect(await readFile(path, 'utf8')).toBe(
      'id,name,enabled\n1,"Ann ""the"" First",true\n2,Bob,false\n4,"Dörte, new",true\n',
    );
    // A rename, not an in-place edit: readers holding the old file never see half a write.
    expect((await stat(path)).ino).not.toBe(before.ino);
    expect(await readdir(dir)).toEqual(['w.csv']);
  });

  it('is idempotent: repeating the batch changes nothing, create of an existing key updates it', async () => {
    const { path, connector } = await csvSystem(
      'idem.csv',
      'id,name,enabled\n1,Ann,true\n2,Bob,true\n3,Cy,true\n',
    );
    await connector.write(batch);
    const once = await readFile(path, 'utf8');
    expect(await connector.write(batch)).toEqual(batch.map(() => ({ ok: true })));
    expect(await readFile(path, 'utf8')).toBe(once);
    await connector.write([{ op: 'create', key: '1', attributes: { name: 'Ann again' } }]);
    expect(await readFile(path, 'utf8')).toContain('\n1,Ann again,true\n');
  });

  it('keeps UTF-16 with its BOM, the delimiter, and CRLF line endings', async () => {
    const bytes = iconv.encode('id;name;enabled\r\n1;Ann;true\r\n2;Bob;true\r\n3;Cy;true\r\n', 'utf16le', {
      addBOM: true,
    });
    const { path, connector } = await csvSystem('u16.csv', bytes, { encoding: 'utf16le', delimiter: ';' });
    await connector.write(batch);
    const written = await readFile(path);
    expect([...written.subarray(0, 2)]).toEqual([0xff, 0xfe]);
    expect(iconv.decode(written, 'utf16le')).toBe(
      'id;name;enabled\r\n1;"Ann ""the"" First";true\r\n2;Bob;false\r\n4;Dörte, new;true\r\n',
    );
  });

  it('keeps a latin1 file without a header row', async () => {
    const { path, connector } = await csvSystem('l1.csv', iconv.encode('1,Jürgen,true\n', 'latin1'), {
      encoding: 'latin1',
      header: false,
      columns: ['id', 'name', 'enabled'],
    });
    await connector.write([{ op: 'create', key: '2', attributes: { name: 'Zoë' } }]);
    expect(iconv.decode(await readFile(path), 'latin1')).toBe('1,Jürgen,true\n2,Zoë,\n');
  });

  it('writes a list as ;-separated text, which reads back as equal to the list (issue 15: no rewrite on every run)', async () => {
    const { path, connector } = await csvSystem('list.csv', 'id,name,enabled\n1,Ann,true\n');
    expect(await connector.write([{ op: 'update', key: '1', patch: { name: ['dev', 'admin'] } }])).toEqual([
      { ok: true },
    ]);
    expect(await readFile(path, 'utf8')).toBe('id,name,enabled\n1,dev;admin,true\n');
    const [page] = await collectPages(connector);
    const read = page?.accounts[0]?.attributes.name;
    expect(read).toBe('dev;admin');
    expect(sameValue(read, ['admin', 'dev'])).toBe(true);
    expect(sameValue(read, ['admin', 'dev', 'ops'])).toBe(false);
    expect(sameValue('dev', ['dev', 'admin'])).toBe(false);
  });

  it('answers each bad op with its own message and still applies the good ones', async () => {
    const { path, connector } = await csvSystem('bad-ops.csv', 'id,name,enabled\n1,Ann,true\n');
    const results = await connector.write([
      { op: 'update', key: '9', patch: { name: 'x' } },
      { op: 'create', key: '2', attributes: { phone: '1' } },
      { op: 'create', key: '3', attributes: { name: ['a;b', 'c'] } },
      { op: 'delete', key: '404' },
      { op: 'update', key: '1', patch: { name: null } },
    ]);
    expect(results).toEqual([
      { ok: false, message: 'no account with key "9"' },
      { ok: false, message: 'the file has no column "phone"' },
      { ok: false, message: 'column "name" holds a list whose value "a;b" contains ";", the list separator' },
      { ok: true },
      { ok: true },
    ]);
    expect(await readFile(path, 'utf8')).toBe('id,name,enabled\n1,,true\n');
  });

  it('refuses to rewrite a file with a malformed line rather than drop it', async () => {
    const text = 'id,name,enabled\n1,Ann,true\n2,Bob\n';
    const { path, connector } = await csvSystem('malformed.csv', text);
    const results = await connector.write([{ op: 'delete', key: '1' }]);
    expect(results).toEqual([
      {
        ok: false,
        message: 'line 3 is malformed (has 2 fields; the file has 3 columns); fix it before writing',
      },
    ]);
    expect(await readFile(path, 'utf8')).toBe(text);
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('serialises concurrent batches on one file so neither is lost', async () => {
    const { path, connector } = await csvSystem('concurrent.csv', 'id,name,enabled\n');
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        connector.write([{ op: 'create', key: String(i), attributes: { name: `n${i}` } }]),
      ),
    );
    expect((await readFile(path, 'utf8')).trim().split('\n')).toHaveLength(11);
  });
});
