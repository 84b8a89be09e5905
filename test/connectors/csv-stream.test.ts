import { execFileSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnector } from '../../server/connectors/index.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trueup-csv-stream-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('CSV connector: streaming', () => {
  // A named pipe has no end until its writer closes it: if the connector loaded the file whole,
  // the first page could never arrive while the writer is still holding the pipe open.
  it('hands out the first page before the file has ended', async () => {
    const path = join(dir, 'pipe.csv');
    execFileSync('mkfifo', [path]);
    const connector = createConnector({
      type: 'csv',
      uniqueFieldKey: 'id',
      connection: { path },
      secrets: {},
    });
    const pages = connector.search({ pageSize: 3 })[Symbol.asyncIterator]();
    const writer = createWriteStream(path);
    writer.write('id,name\n1,a\n2,b\n3,c\n4,d\n');
    const first = await pages.next();
    expect(first.value?.accounts.map((a: { key: string }) => a.key)).toEqual(['1', '2', '3']);
    expect(writer.closed).toBe(false);
    writer.end('5,e\n');
    const rest: string[] = [];
    for (let page = await pages.next(); !page.done; page = await pages.next()) {
      rest.push(...page.value.accounts.map((a) => a.key));
    }
    expect(rest).toEqual(['4', '5']);
  });
});
