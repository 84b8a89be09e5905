import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unreadableFile } from '../../server/connectors/csv/csv-file.ts';
import { createConnector } from '../../server/connectors/index.ts';
import type { Connector, Page } from '../../server/core/connector-port.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trueup-csv-damaged-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let files = 0;
async function csvSystem(bytes: Buffer | string, connection: Record<string, unknown> = {}, key = 'id') {
  const path = join(dir, `f${files++}.csv`);
  await writeFile(path, bytes);
  const connector = createConnector({
    type: 'csv',
    uniqueFieldKey: key,
    connection: { path, ...connection },
    secrets: {},
  });
  return { path, connector };
}

async function read(connector: Connector) {
  const pages: Page[] = [];
  for await (const page of connector.search({ pageSize: 2 })) pages.push(page);
  return {
    keys: pages.flatMap((page) => page.accounts.map((account) => account.key)),
    problems: pages.flatMap((page) => page.problems),
  };
}

const hr = await readFile(new URL('../../server/demo/data/hr.csv', import.meta.url), 'utf8');
const hrLines = hr.split('\n');
/** The demo HR file with a quote put before the third cell of line 11 (issue 15). */
const hrStray = hrLines
  .map((line, i) => (i === 10 ? line.replace(/^([^,]*,[^,]*,)/, '$1"') : line))
  .join('\n');
const hrKeys = hrLines
  .slice(1)
  .filter((line) => line !== '')
  .map((line) => line.split(',')[0]);
const tenMegabytes = 'x'.repeat(10 * 1024 * 1024);

// Each damaged file: the accounts still read, and the problems naming their lines.
const damaged: Array<{
  name: string;
  file: string | Buffer;
  connection?: Record<string, unknown>;
  key?: string;
  keys: string[];
  problems: Array<[number, string | RegExp]>;
}> = [
  {
    name: 'a stray quote opening a field (the demo HR file, line 11)',
    file: hrStray,
    key: 'employeeNumber',
    keys: hrKeys.filter((key) => key !== 'E1010') as string[],
    problems: [
      [
        11,
        'line 11 opens a quoted field in column 3 that does not close before line 12, a record of its own',
      ],
    ],
  },
  {
    name: 'a stray quote inside an unquoted field',
    file: 'id,name,mail\n1,Ann,a@x\n2,Bo"b,b@x\n3,Cy,c@x\n',
    keys: ['1', '3'],
    problems: [[3, 'line 3 has a quote inside the unquoted field in column 2']],
  },
  {
    name: 'a stray quote on the last line',
    file: 'id,name,mail\n1,Ann,a@x\n2,"Bob,b@x\n',
    keys: ['1'],
    problems: [[3, /^line 3 opens a quoted field in column 2 that does not close before the file ends/]],
  },
  {
    name: 'a quoted field closed before its end',
    file: 'id,name,mail\n1,"Ann"e,a@x\n2,Bob,b@x\n',
    keys: ['2'],
    problems: [
      [2, 'line 2 has a quoted field in column 2 whose closing quote is followed by "e", not the delimiter'],
    ],
  },
  {
    name: 'a file cut short inside a quoted field',
    file: 'id,name,note\n1,Ann,a\n2,Bob,"first line\nsecond',
    keys: ['1'],
    problems: [
      [
        3,
        'line 3 opens a quoted field in column 3 that does not close before the file ends (is the file cut short?)',
      ],
      [4, 'line 4 has 1 field; the file has 3 columns'],
    ],
  },
  {
    name: 'a Latin-1 file read as UTF-8',
    file: iconv.encode('id,name\n1,Zoë\n2,Bob\n3,Jürgen\n', 'latin1'),
    keys: ['2'],
    problems: [
      [
        2,
        "line 2 has bytes that are not valid utf8: is the file in another encoding? Set the connection's encoding (utf8, utf16le, latin1)",
      ],
      [4, /^line 4 has bytes that are not valid utf8/],
    ],
  },
  {
    name: 'a UTF-16 file cut in the middle of a character',
    file: iconv.encode('id,name\n1,Ann\n2,Zoë', 'utf16le').subarray(0, -1),
    connection: { encoding: 'utf16le' },
    keys: ['1'],
    problems: [[3, /^line 3 has bytes that are not valid utf16le/]],
  },
  {
    name: 'rows with a cell too few and a cell too many',
    file: 'id,name,mail\n1,Ann\n2,Bob,b@x,extra\n3,Cy,c@x\n',
    keys: ['3'],
    problems: [
      [2, 'line 2 has 2 fields; the file has 3 columns'],
      [3, 'line 3 has 4 fields; the file has 3 columns'],
    ],
  },
  {
    name: 'a 10 MB line',
    file: `id,name\n1,a\n2,${tenMegabytes}\n3,c\n`,
    keys: ['1', '3'],
    problems: [[3, 'line 3 is longer than maxRecordBytes (1048576 bytes)']],
  },
  {
    name: 'a 10 MB last line without a line break',
    file: `id,name\n1,a\n2,${tenMegabytes}`,
    keys: ['1'],
    problems: [[3, 'line 3 is longer than maxRecordBytes (1048576 bytes)']],
  },
  {
    name: 'a quoted field longer than maxRecordBytes',
    file: `id,name\n1,"${'x\n'.repeat(600)}"\n2,b\n`,
    connection: { maxRecordBytes: 1024 },
    keys: ['2'],
    problems: [
      [2, 'line 2 opens a quoted field in column 2 that does not close within maxRecordBytes (1024 bytes)'],
      // Lines 3 to 601 are "x", read one by one; line 602, the closing quote, opens one of its own.
      ...Array.from({ length: 599 }, (_, i): [number, string] => [
        i + 3,
        `line ${i + 3} has 1 field; the file has 2 columns`,
      ]),
      [
        602,
        'line 602 opens a quoted field in column 1 that does not close before line 603, a record of its own',
      ],
    ],
  },
  {
    name: 'a row with an empty key cell',
    file: 'id,name\n1,a\n,b\n3,c\n',
    keys: ['1', '3'],
    problems: [[3, 'line 3 has an empty "id" (the unique field key)']],
  },
  {
    name: 'a header only (no problem: the engine guards an empty source)',
    file: 'id,name\n',
    keys: [],
    problems: [],
  },
];

describe('CSV connector: damaged files', () => {
  it.each(damaged)('$name', async ({ file, connection, key, keys, problems }) => {
    const { connector } = await csvSystem(file, connection, key);
    const result = await read(connector);
    expect(result.keys).toEqual(keys);
    expect(result.problems.map((problem) => [problem.line, problem.message])).toEqual(
      problems.map(([line, message]) => [
        line,
        typeof message === 'string' ? message : expect.stringMatching(message),
      ]),
    );
  });

  it.each([
    ['an empty file', '', (path: string) => `the file ${path} is empty: it has no header row`],
    [
      'a file of empty lines',
      '\n\r\n\n',
      (path: string) => `the file ${path} is empty: it has no header row`,
    ],
    [
      'a header naming a column twice',
      'id,name,id\n1,a,1\n',
      (path: string) => `line 1 of ${path} (the header) names column "id" twice (columns 1 and 3)`,
    ],
    [
      'a header with an empty column name',
      'id,,name\n1,a,b\n',
      (path: string) => `line 1 of ${path} (the header) has an empty column name (column 2)`,
    ],
    [
      'a header with a stray quote',
      'id,"name\n1,a\n',
      (path: string) =>
        `line 1 of ${path} (the header) opens a quoted field in column 2 that does not close before the file ends (is the file cut short?)`,
    ],
  ])('%s: the search throws one sentence naming the file', async (_, file, sentence) => {
    const { path, connector } = await csvSystem(file);
    await expect(read(connector)).rejects.toThrow(sentence(path));
    expect(await connector.test()).toEqual({ ok: false, message: sentence(path) });
  });

  it('a missing file, a directory: sentences saying what to do, from search, test and write', async () => {
    const missing = join(dir, 'gone', 'hr.csv');
    const connector = createConnector({
      type: 'csv',
      uniqueFieldKey: 'id',
      connection: { path: missing },
      secrets: {},
    });
    const sentence = `the file ${missing} does not exist: upload it (POST /api/systems/:id/file) or fix the path in the system's connection`;
    await expect(read(connector)).rejects.toThrow(sentence);
    expect(await connector.test()).toEqual({ ok: false, message: sentence });
    expect(await connector.write([{ op: 'delete', key: '1' }])).toEqual([{ ok: false, message: sentence }]);

    const folder = join(dir, 'folder.csv');
    await mkdir(folder);
    const onFolder = createConnector({
      type: 'csv',
      uniqueFieldKey: 'id',
      connection: { path: folder },
      secrets: {},
    });
    await expect(read(onFolder)).rejects.toThrow(
      `${folder} is a directory, not a file: fix the path in the system's connection`,
    );
    // Tests run as root, which reads any file: the sentence for a refused read is checked alone.
    const refused = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    expect(unreadableFile('/x/hr.csv', refused).message).toBe(
      'the file /x/hr.csv cannot be read (permission denied): let the user trueup runs as read it, or upload it (POST /api/systems/:id/file)',
    );
  });

  it("a rewrite refuses a damaged file with the reader's own words, and leaves it alone", async () => {
    const { path, connector } = await csvSystem(hrStray, {}, 'employeeNumber');
    expect(await connector.write([{ op: 'update', key: 'E1001', patch: { title: 'CTO' } }])).toEqual([
      {
        ok: false,
        message:
          'line 11 is malformed (opens a quoted field in column 3 that does not close before line 12, a record of its own); fix it before writing',
      },
    ]);
    expect(await readFile(path, 'utf8')).toBe(hrStray);
  });

  it('a rewrite writes no value that the reader would take for records of their own', async () => {
    const { path, connector } = await csvSystem('id,name,note\n1,Ann,a\n');
    expect(
      await connector.write([
        { op: 'update', key: '1', patch: { note: 'Dear all,\n2,Bob,b\nregards' } },
        { op: 'create', key: '2', attributes: { note: 'two\nlines, one comma' } },
      ]),
    ).toEqual([
      { ok: false, message: 'column "note" holds a line that would read back as a record of its own' },
      { ok: true },
    ]);
    expect(await readFile(path, 'utf8')).toBe('id,name,note\n1,Ann,a\n2,,"two\nlines, one comma"\n');
    expect(await read(connector)).toEqual({ keys: ['1', '2'], problems: [] });
  });
});
