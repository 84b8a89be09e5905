import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnector } from '../../server/connectors/index.ts';
import type { Connector, Page, SearchRequest } from '../../server/core/connector-port.ts';
import {
  createSqlFixture,
  type Dialect,
  dialectsAvailable,
  peopleTable,
  type SqlFixture,
} from './sql-fixture.ts';

/**
 * Look-ups read under the run's query (a row the query leaves out is absent from a look-up too),
 * and isDisabled reads the disabled column whatever the policy map asks for.
 */
async function accountsOf(connector: Connector, request: SearchRequest) {
  const pages: Page[] = [];
  for await (const page of connector.search(request)) pages.push(page);
  return pages.flatMap((p) => p.accounts);
}
const keysOf = (accounts: Array<{ key: string }> | undefined) => accounts?.map((a) => a.key).sort();

for (const dialect of ['postgres', 'mysql'] as Dialect[]) {
  describe.runIf(dialectsAvailable[dialect])(`SQL look-ups and isDisabled [${dialect}]`, () => {
    let db: SqlFixture;
    const open: Connector[] = [];
    const ph = (n: number) => (dialect === 'postgres' ? `$${n}` : '?');
    const system = (connection: Record<string, unknown> = {}) => {
      const connector = createConnector({
        type: 'sql',
        uniqueFieldKey: 'employeeId',
        connection: {
          ...db.connection,
          table: 'people',
          columnMap: { employeeId: 'id', fullName: 'name' },
          disabledColumn: 'enabled',
          disabledValue: false,
          ...connection,
        },
        secrets: {},
      });
      open.push(connector);
      return connector;
    };

    beforeAll(async () => {
      db = await createSqlFixture(dialect);
      await db.run(peopleTable(dialect));
      for (const [id, dept, enabled] of [
        ['p1', 'eng', true],
        ['p2', 'eng', false],
        ['p3', 'ops', true],
        ['p4', 'ops', false],
      ] as const) {
        await db.run(
          `insert into people (id, name, dept, enabled, updated_at) values (${ph(1)}, ${ph(2)}, ${ph(3)}, ${ph(4)}, ${ph(5)})`,
          [id, `Person ${id}`, dept, enabled, new Date(Date.UTC(2026, 0, 1))],
        );
      }
    });
    afterAll(async () => {
      for (const connector of open) await connector.close();
      await db?.drop();
    });

    it("a look-up reads under the run's query: the policy query with its parameters, or the import query", async () => {
      const query = {
        type: 'sql' as const,
        text: `select id, name from people where dept = ${ph(1)}`,
        params: ['eng'],
      };
      const connector = system();
      expect(keysOf(await accountsOf(connector, { query }))).toEqual(['p1', 'p2']);
      // p3 is a real row, but the run's query leaves it out: absent from the look-up as from the search.
      const found = await connector.lookup?.(['p1', 'p3', 'nobody'], { query, attributes: ['fullName'] });
      expect(found).toEqual([{ key: 'p1', attributes: { employeeId: 'p1', fullName: 'Person p1' } }]);
      const imported = system({ importQuery: `select id, name, enabled from people where dept = 'ops'` });
      expect(keysOf(await imported.lookup?.(['p1', 'p3', 'p4'], {}))).toEqual(['p3', 'p4']);
      // Without a query the table is the scope; a bare search filter is refused as by search.
      expect(keysOf(await connector.lookup?.(['p1', 'p3'], {}))).toEqual(['p1', 'p3']);
      await expect(connector.lookup?.(['p1'], { searchFilter: "dept = 'eng'" })).rejects.toThrow(
        /^searchFilter: a sql system filters with a target query policy/,
      );
    });

    it('isDisabled: the disabled column read even when the policy map leaves it out, and not added to the account', async () => {
      const connector = system();
      const lean = await accountsOf(connector, { attributes: ['fullName'] });
      expect(lean.find((a) => a.key === 'p2')?.attributes).toEqual({
        employeeId: 'p2',
        fullName: 'Person p2',
      });
      const disabled = (accounts: typeof lean) =>
        Object.fromEntries(accounts.map((a) => [a.key, connector.isDisabled?.(a)]));
      // Read enabled, without the column in the account: it does not say (only disabled keys are kept).
      expect(disabled(lean)).toEqual({ p1: undefined, p2: true, p3: undefined, p4: true });
      const full = await accountsOf(connector, { attributes: ['fullName', 'enabled'] });
      expect(disabled(full)).toEqual({ p1: false, p2: true, p3: false, p4: true });
      // A fresh connector learns it from a look-up as well: what a drift check or keys run reads.
      const fresh = system();
      const looked = (await fresh.lookup?.(['p1', 'p4'], { attributes: ['fullName'] })) ?? [];
      expect(looked.map((a) => [a.key, fresh.isDisabled?.(a)]).sort()).toEqual([
        ['p1', undefined],
        ['p4', true],
      ]);
      // A disable written through the connector reads back as disabled.
      expect(await fresh.write([{ op: 'disable', key: 'p1' }])).toEqual([{ ok: true }]);
      const [p1] = (await fresh.lookup?.(['p1'], { attributes: ['fullName'] })) ?? [];
      expect(p1 && fresh.isDisabled?.(p1)).toBe(true);
      await db.run(`update people set enabled = ${ph(1)} where id = 'p1'`, [true]);
      const [again] = (await fresh.lookup?.(['p1'], { attributes: ['fullName'] })) ?? [];
      expect(again && fresh.isDisabled?.(again)).toBeUndefined();
    });

    it('isDisabled: a query without the disabled column reads fine and does not say; no disabledColumn, no isDisabled', async () => {
      const connector = system();
      const query = { type: 'sql' as const, text: 'select id, name from people', params: [] };
      const accounts = await accountsOf(connector, { query, attributes: ['fullName'] });
      expect(accounts).toHaveLength(4);
      expect(accounts.map((a) => connector.isDisabled?.(a))).toEqual([
        undefined,
        undefined,
        undefined,
        undefined,
      ]);
      expect(system({ disabledColumn: undefined, disabledValue: undefined }).isDisabled).toBeUndefined();
      // A text column with its own word for disabled.
      const byDept = system({ disabledColumn: 'dept', disabledValue: 'ops' });
      const depts = await accountsOf(byDept, { attributes: ['dept'] });
      expect(Object.fromEntries(depts.map((a) => [a.key, byDept.isDisabled?.(a)]))).toEqual({
        p1: false,
        p2: false,
        p3: true,
        p4: true,
      });
    });
  });
}
