import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnector } from '../../server/connectors/index.ts';
import type { Account } from '../../server/core/model.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trueup-csv-lookup-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function csvSystem(name: string, text: string, connection: Record<string, unknown> = {}) {
  const path = join(dir, name);
  await writeFile(path, text);
  return createConnector({
    type: 'csv',
    uniqueFieldKey: 'id',
    connection: { path, ...connection },
    secrets: {},
  });
}

const people =
  'id,name,employmentStatus,state\n1,Ann,active,on\n2,Bob,terminated,off\n3,Cy,active,\n4,Di,active,on\n';
// What the demo's hr-active-only.ts target query returns.
const activeOnly = { type: 'csv', where: { employmentStatus: 'active' } } as const;

describe('CSV connector: lookups read under the search query', () => {
  it("leaves out an account the run's query leaves out, as the search does", async () => {
    const connector = await csvSystem('people.csv', people);
    const found = await connector.lookup?.(['1', '2', '3', '9'], { query: activeOnly, attributes: ['name'] });
    expect(found?.map((account) => account.key)).toEqual(['1', '3']);
    const searched: Account[] = [];
    for await (const page of connector.search({ query: activeOnly, attributes: ['name'] })) {
      searched.push(...page.accounts.filter((account) => ['1', '2', '3', '9'].includes(account.key)));
    }
    expect(found).toEqual(searched);
    expect((await connector.lookup?.(['2'], {}))?.map((account) => account.key)).toEqual(['2']);
    await expect(connector.lookup?.(['1'], { searchFilter: '(uid=1)' })).rejects.toThrow(
      'searchFilter: a csv system filters with a target query policy (`where`)',
    );
  });

  it('refuses to answer over a file with a line it cannot read: that line may be the account', async () => {
    const connector = await csvSystem('stray.csv', 'id,name\n1,Ann\n2,"Bob\n3,Cy\n');
    await expect(connector.lookup?.(['2'], {})).rejects.toThrow(
      /^the file .+stray\.csv has lines that cannot be read, so a lookup cannot tell which accounts are absent: line 3 opens a quoted field in column 2/,
    );
  });
});

describe('CSV connector: isDisabled', () => {
  it('reads disabledColumn even when the policy map leaves it out, and says what it holds', async () => {
    const connector = await csvSystem('state.csv', people, { disabledColumn: 'state', disabledValue: 'off' });
    const accounts: Account[] = [];
    for await (const page of connector.search({ attributes: ['name'] })) accounts.push(...page.accounts);
    expect(accounts[1]).toEqual({ key: '2', attributes: { id: '2', name: 'Bob', state: 'off' } });
    expect(accounts.map((account) => connector.isDisabled?.(account))).toEqual([false, true, false, false]);
    const looked = await connector.lookup?.(['2'], { attributes: ['name'] });
    expect(looked?.map((account) => connector.isDisabled?.(account))).toEqual([true]);
    // An account read without the column does not say.
    expect(connector.isDisabled?.({ key: '2', attributes: { id: '2' } })).toBeUndefined();
  });

  it('is undefined without a disabledColumn; an empty cell matches an empty disabledValue', async () => {
    const plain = await csvSystem('plain.csv', people);
    expect(plain.isDisabled?.({ key: '2', attributes: { id: '2', state: 'off' } })).toBeUndefined();
    const empty = await csvSystem('empty.csv', people, { disabledColumn: 'state', disabledValue: '' });
    expect(empty.isDisabled?.({ key: '3', attributes: { id: '3', state: null } })).toBe(true);
    expect(empty.isDisabled?.({ key: '1', attributes: { id: '1', state: 'on' } })).toBe(false);
  });

  it('names a disabledColumn the file lacks, in search and test', async () => {
    const connector = await csvSystem('lacks.csv', people, {
      disabledColumn: 'locked',
      disabledValue: 'yes',
    });
    await expect(connector.search({})[Symbol.asyncIterator]().next()).rejects.toThrow(
      'disabledColumn: the file has no column "locked"',
    );
    expect((await connector.test()).message).toMatch(
      /has no column "locked" \(disabledColumn\); it has: id, /,
    );
    expect(await connector.write([{ op: 'disable', key: '1' }])).toEqual([
      { ok: false, message: 'the file has no column "locked" (disabledColumn)' },
    ]);
  });
});
