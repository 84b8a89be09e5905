import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { describeEachDatabase } from '../helpers/databases.ts';

const nasty = [
  'tab\there',
  'new\nline and\r\ncarriage',
  'back\\slash \\N \\t',
  'unicode: Zoë Ångström 日本語 🙂',
  '',
  '\\',
  'ends with backslash\\',
];

describeEachDatabase('COPY into a table', (db) => {
  it('loads nasty text, nulls, JSON, numbers, text arrays and dates back unchanged', async () => {
    await db().rows(
      sql.raw('create table copy_probe (n int, t text, j jsonb, a text[], b boolean, at timestamptz)'),
    );
    const json = { quote: 'say "hi"', tab: 'a\tb', nested: [1, null, 'x\\y'], newline: 'l1\nl2' };
    const rows: unknown[][] = nasty.map((text, i) => [i, text, { text }, null, i % 2 === 0, null]);
    rows.push([100, null, json, '{"a b","c\\"d","e\\\\f"}', null, new Date('2026-01-02T03:04:05.678Z')]);
    rows.push([101, null, null, '{}', false, null]);
    async function* stream() {
      yield* rows;
    }
    expect(await db().copyIn('copy_probe', ['n', 't', 'j', 'a', 'b', 'at'], stream())).toBe(rows.length);

    const back = await db().rows<{
      n: number;
      t: string | null;
      j: unknown;
      a: string[] | null;
      b: boolean | null;
      at: string | null;
    }>(sql.raw('select n, t, j, a, b, at::text as at from copy_probe order by n'));
    expect(back.map((r) => r.t)).toEqual([...nasty, null, null]);
    expect(back.slice(0, nasty.length).map((r) => r.j)).toEqual(nasty.map((text) => ({ text })));
    expect(back[nasty.length]).toMatchObject({ n: 100, j: json, a: ['a b', 'c"d', 'e\\f'], b: null });
    expect(back[nasty.length]?.at).toMatch(/^2026-01-02 03:04:05\.678/);
    expect(back[nasty.length + 1]).toMatchObject({ n: 101, j: null, a: [], b: false, at: null });
  });

  it('takes a plain array of many rows and counts them', async () => {
    await db().rows(sql.raw('create table copy_many (n int, t text)'));
    const rows = Array.from({ length: 20_000 }, (_, i) => [i, `row ${i}\twith tab`]);
    expect(await db().copyIn('copy_many', ['n', 't'], rows)).toBe(20_000);
    const [summary] = await db().rows<{ count: number; tabs: number }>(
      sql.raw(
        "select count(*)::int as count, count(*) filter (where t like '%' || chr(9) || '%')::int as tabs from copy_many",
      ),
    );
    expect(summary).toEqual({ count: 20_000, tabs: 20_000 });
  });

  it('rejects when the server refuses a value, and the database still answers', async () => {
    await db().rows(sql.raw('create table copy_strict (n int not null)'));
    await expect(db().copyIn('copy_strict', ['n'], [[1], ['not a number']])).rejects.toThrow(/integer/);
    await expect(db().copyIn('copy_strict', ['n'], [[1], [null]])).rejects.toThrow(/null/);
    const [summary] = await db().rows<{ count: number }>(
      sql.raw('select count(*)::int as count from copy_strict'),
    );
    expect(summary?.count).toBe(0);
  });
});
