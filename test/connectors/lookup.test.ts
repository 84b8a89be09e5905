import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnector } from '../../server/connectors/index.ts';
import { createSqlFixture, type Dialect, dialectsAvailable, type SqlFixture } from './sql-fixture.ts';

const hostile = "'); drop table people; --";
const keysOf = (accounts: Array<{ key: string }> | undefined) => accounts?.map((a) => a.key).sort();

describe('lookup(keys): reading accounts by unique field key', () => {
  it('CSV: one streaming pass keeps the rows with those keys', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'trueup-lookup-')), 'people.csv');
    writeFileSync(
      file,
      `id,name,email\nE1,Ann,ann@x\nE2,Bob,bob@x\n"${hostile.replaceAll('"', '""')}",Mallory,m@x\n`,
    );
    const csv = createConnector({
      type: 'csv',
      uniqueFieldKey: 'id',
      connection: { path: file },
      secrets: {},
    });
    const found = await csv.lookup?.(['E2', hostile, 'E9'], { attributes: ['name'] });
    expect(found).toEqual([
      { key: 'E2', attributes: { id: 'E2', name: 'Bob' } },
      { key: hostile, attributes: { id: hostile, name: 'Mallory' } },
    ]);
    expect(await csv.lookup?.([], {})).toEqual([]);
  });

  for (const dialect of ['postgres', 'mysql'] as Dialect[]) {
    describe.runIf(dialectsAvailable[dialect])(`SQL (${dialect})`, () => {
      let source: SqlFixture;
      beforeAll(async () => {
        source = await createSqlFixture(dialect);
        await source.run(
          'create table people (employee_id varchar(80) primary key, name varchar(80), salary int)',
        );
        const ph = (n: number) => (dialect === 'postgres' ? `$${n}` : '?');
        for (let i = 0; i < 700; i++) {
          await source.run(`insert into people values (${ph(1)}, ${ph(2)}, ${ph(3)})`, [`E${i}`, `P${i}`, i]);
        }
        await source.run(`insert into people values (${ph(1)}, ${ph(2)}, ${ph(3)})`, [hostile, 'Mallory', 0]);
      });
      afterAll(async () => {
        await source?.drop();
      });

      it('reads `where key in (…)` with the keys as parameters, in batches', async () => {
        const sql = createConnector({
          type: 'sql',
          uniqueFieldKey: 'employeeId',
          connection: { ...source.connection, table: 'people', columnMap: { employeeId: 'employee_id' } },
          secrets: {},
        });
        try {
          const wanted = [...Array.from({ length: 600 }, (_, i) => `E${i + 50}`), hostile, 'nobody'];
          const found = await sql.lookup?.(wanted, { attributes: ['name'] });
          expect(found).toHaveLength(601);
          expect(keysOf(found)).toEqual(wanted.filter((k) => k !== 'nobody').sort());
          expect(found?.find((a) => a.key === hostile)?.attributes).toEqual({
            employeeId: hostile,
            name: 'Mallory',
          });
          expect((await source.run('select count(*) as n from people')) as Array<{ n: unknown }>).toEqual([
            { n: dialect === 'postgres' ? '701' : 701 },
          ]);
        } finally {
          await sql.close();
        }
      });
    });
  }
});
