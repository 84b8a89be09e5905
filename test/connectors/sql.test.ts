import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnector, parseConnection } from '../../server/connectors/index.ts';
import type { Connector, Page, SearchRequest } from '../../server/core/connector-port.ts';
import {
  createSqlFixture,
  type Dialect,
  dialectsAvailable,
  peopleTable,
  type SqlFixture,
} from './sql-fixture.ts';

async function collect(connector: Connector, request: SearchRequest = {}): Promise<Page[]> {
  const pages: Page[] = [];
  for await (const page of connector.search(request)) pages.push(page);
  return pages;
}
const keys = (pages: Page[]) => pages.flatMap((p) => p.accounts.map((a) => a.key)).sort();

for (const dialect of ['postgres', 'mysql'] as Dialect[]) {
  describe.runIf(dialectsAvailable[dialect])(`SQL connector [${dialect}]`, () => {
    let db: SqlFixture;
    let connector: Connector;
    const ph = (n: number) => (dialect === 'postgres' ? `$${n}` : '?');

    beforeAll(async () => {
      db = await createSqlFixture(dialect);
      await db.run(peopleTable(dialect));
      for (let i = 1; i <= 5; i++) {
        await db.run(
          `insert into people (id, name, dept, updated_at) values (${ph(1)}, ${ph(2)}, ${ph(3)}, ${ph(4)})`,
          [`p${i}`, `Person ${i}`, i % 2 ? 'eng' : 'ops', new Date(Date.UTC(2026, 0, i))],
        );
      }
      connector = createConnector({
        type: 'sql',
        uniqueFieldKey: 'employeeId',
        connection: {
          ...db.connection,
          table: 'people',
          keyColumn: 'id',
          columnMap: { employeeId: 'id', fullName: 'name' },
          watermarkColumn: 'updated_at',
          disabledColumn: 'enabled',
          disabledValue: false,
        },
        secrets: {},
      });
    });
    afterAll(async () => {
      await connector?.close();
      await db?.drop();
    });

    it('streams the table in pages with only the policy map attributes, named by the column map', async () => {
      const pages = await collect(connector, { attributes: ['fullName', 'dept'], pageSize: 2 });
      expect(pages.map((p) => p.accounts.length)).toEqual([2, 2, 1]);
      expect(pages[0]?.accounts[0]).toEqual({
        key: 'p1',
        attributes: { employeeId: 'p1', fullName: 'Person 1', dept: 'eng' },
      });
      expect(pages.at(-1)?.watermark).toBe('2026-01-05T00:00:00.000Z');
      await expect(collect(connector, { attributes: ['salary'] })).rejects.toThrow(
        'table "people" has no column "salary"',
      );
    });

    it('runs a parametrised import query, and an injection attempt in a value matches nothing', async () => {
      const text = `select id, name from people where dept = ${ph(1)}`;
      expect(keys(await collect(connector, { query: { type: 'sql', text, params: ['eng'] } }))).toEqual([
        'p1',
        'p3',
        'p5',
      ]);
      const evil = `x' or '1'='1'; drop table people; --`;
      const pages = await collect(connector, { query: { type: 'sql', text, params: [evil] } });
      expect(keys(pages)).toEqual([]);
      expect(await db.run('select count(*) as n from people')).toEqual([
        { n: dialect === 'postgres' ? '5' : 5 },
      ]);
    });

    it('writes through the table mapping, idempotently, and stores hostile values literally', async () => {
      const evil = `'; drop table people; --`;
      const ops = [
        {
          op: 'create',
          key: 'p9',
          attributes: { fullName: evil, dept: 'ops', updated_at: '2026-01-09T00:00:00.000Z' },
        },
        { op: 'update', key: 'p2', patch: { fullName: 'Renamed' } },
        { op: 'disable', key: 'p4' },
        { op: 'delete', key: 'p5' },
        { op: 'delete', key: 'never-there' },
      ] as const;
      expect(await connector.write([...ops])).toEqual(ops.map(() => ({ ok: true })));
      expect(await connector.write([...ops])).toEqual(ops.map(() => ({ ok: true })));
      const rows = (await db.run('select id, name, enabled from people order by id')) as Array<
        Record<string, unknown>
      >;
      expect(rows.map((r) => [r.id, r.name, Boolean(r.enabled)])).toEqual([
        ['p1', 'Person 1', true],
        ['p2', 'Renamed', true],
        ['p3', 'Person 3', true],
        ['p4', 'Person 4', false],
        ['p9', evil, true],
      ]);
      const text = `select id from people where name = ${ph(1)}`;
      expect(keys(await collect(connector, { query: { type: 'sql', text, params: [evil] } }))).toEqual([
        'p9',
      ]);
      expect(
        await connector.write([
          { op: 'update', key: 'nobody', patch: { dept: 'x' } },
          { op: 'update', key: 'p1', patch: { salary: 1 } },
          { op: 'update', key: 'p1', patch: { dept: ['a;b', 'c'] } },
        ]),
      ).toEqual([
        { ok: false, message: 'no row with key "nobody"' },
        { ok: false, message: 'table "people" has no column "salary"' },
        {
          ok: false,
          message: 'column "dept" holds a list whose value "a;b" contains ";", the list separator',
        },
      ]);
    });

    it('reads a DATE as the day and a BOOLEAN as a boolean, as written (issue 15: no rewrite on every run)', async () => {
      await db.run(
        'create table typed (id varchar(10) primary key, hired date, manager boolean, roles varchar(50))',
      );
      await db.run(`insert into typed values ('t1', '2019-12-31', false, 'dev')`);
      const typed = createConnector({
        type: 'sql',
        uniqueFieldKey: 'id',
        connection: { ...db.connection, table: 'typed' },
        secrets: {},
      });
      try {
        const read = async () => (await collect(typed))[0]?.accounts[0]?.attributes;
        expect(await read()).toEqual({ id: 't1', hired: '2019-12-31', manager: false, roles: 'dev' });
        const patch = { hired: '2020-01-01', manager: true, roles: ['dev', 'ops'] };
        expect(await typed.write([{ op: 'update', key: 't1', patch }])).toEqual([{ ok: true }]);
        expect(await read()).toEqual({ id: 't1', hired: '2020-01-01', manager: true, roles: 'dev;ops' });
      } finally {
        await typed.close();
      }
    });

    it('incremental: a change on the server is exactly what the next search returns', async () => {
      const full = await collect(connector);
      const watermark = full.at(-1)?.watermark;
      expect(watermark).toBe('2026-01-09T00:00:00.000Z');
      await db.run(`update people set dept = 'hr', updated_at = ${ph(1)} where id = 'p3'`, [
        new Date(Date.UTC(2026, 1, 1)),
      ]);
      const delta = await collect(connector, { watermark });
      // `>=`: the row that set the watermark (p9) comes back too; the engine sees it unchanged.
      expect(keys(delta)).toEqual(['p3', 'p9']);
      expect(delta.at(-1)?.watermark).toBe('2026-02-01T00:00:00.000Z');
      const next = await collect(connector, { watermark: delta.at(-1)?.watermark });
      expect(keys(next)).toEqual(['p3']);
      expect(next.flatMap((p) => p.accounts)[0]?.attributes.dept).toBe('hr');
    });

    it('test() passes, and names each failure', async () => {
      const base = { ...db.connection, table: 'people', keyColumn: 'id' };
      const check = (connection: Record<string, unknown>, secrets: Record<string, string> = {}) => {
        const c = createConnector({ type: 'sql', uniqueFieldKey: 'id', connection, secrets });
        return c.test().finally(() => c.close());
      };
      expect(await check(base)).toMatchObject({
        ok: true,
        message: expect.stringContaining('has 5 columns'),
      });
      const port = dialect === 'postgres' ? 5432 : 3306;
      const server = `the ${dialect === 'postgres' ? 'PostgreSQL' : 'MySQL/MariaDB'} server`;
      expect((await check({ ...base, port: 1, connectTimeoutMs: 2000 })).message).toBe(
        `${server} 127.0.0.1:1 refused the connection: check that it is running and that its address is right, then run again`,
      );
      const badUser = dialect === 'postgres' ? { user: 'no_such_user' } : {};
      const denied = await check({ ...base, ...badUser }, { password: 'wrong-secret-123' });
      expect(denied.message).toBe(
        `${server} 127.0.0.1:${port} refused the credentials of user "${dialect === 'postgres' ? 'no_such_user' : 'root'}": check the user and password, then run again`,
      );
      expect(JSON.stringify(denied)).not.toContain('wrong-secret-123');
      expect((await check({ ...base, database: 'no_such_db' })).message).toBe(
        `database "no_such_db" does not exist on ${server} 127.0.0.1:${port}: check the system's database name`,
      );
      expect((await check({ ...base, table: 'nope' })).message).toBe(
        `table "nope" does not exist in database "${db.connection.database}" on ${server} 127.0.0.1:${port}: check the system's table name`,
      );
      expect((await check({ ...base, keyColumn: 'uid' })).message).toBe('table "people" has no column "uid"');
      const badSql = await check({ ...base, importQuery: 'selec id form people' });
      expect(badSql.message).toMatch(
        new RegExp(
          `^${server.replace('/', '\\/')} 127\\.0\\.0\\.1:${port} refused the query as invalid SQL \\(.+\\) while checking the import query: fix the import query or the target query policy$`,
        ),
      );
      const missingTable = await check({ ...base, importQuery: 'select id from nowhere' });
      expect(missingTable.message).toMatch(
        /^the query names a table that does not exist on .+ while checking the import query: fix the query or the system's table$/,
      );
      // The servers here have TLS off: asking for it must fail with a TLS message.
      expect((await check({ ...base, ssl: { mode: 'require' } })).message).toMatch(
        /^TLS with the .+ server 127\.0\.0\.1:\d+ failed \(.+\): check ssl\.mode and ssl\.ca, then run again$/,
      );
    });

    it('writes a large batch as multi-row statements, each op still answering for itself', async () => {
      const count = async (where: string) =>
        Number(
          ((await db.run(`select count(*) as n from people where ${where}`)) as Array<{ n: unknown }>)[0]?.n,
        );
      const many = Array.from({ length: 1200 }, (_, i) => ({
        op: 'create' as const,
        key: `bulk${i}`,
        attributes: {
          fullName: `Bulk ${i}`,
          dept: i % 2 ? 'ops' : 'eng',
          updated_at: '2026-01-01T00:00:00.000Z',
        },
      }));
      const answers = await connector.write([
        ...many,
        // A key the table holds is updated, not inserted again.
        { op: 'create', key: 'p1', attributes: { fullName: 'Person One' } },
        { op: 'create', key: 'bad', attributes: { updated_at: ['a', 'b'] } },
      ]);
      expect(
        answers
          .slice(0, 1200)
          .filter((a) => !a.ok)
          .slice(0, 2),
      ).toEqual([]);
      expect(answers.slice(1200)).toEqual([
        { ok: true },
        { ok: false, message: 'column "updated_at" holds one value, not a list' },
      ]);
      expect(await count(`id = 'p1' and name = 'Person One'`)).toBe(1);
      await connector.write([{ op: 'update', key: 'p1', patch: { fullName: 'Person 1' } }]);
      expect(await count(`id like 'bulk%'`)).toBe(1200);
      expect(await count(`dept = 'ops' and id like 'bulk%'`)).toBe(600);
      const deletes = many.map((op) => ({ op: 'delete' as const, key: op.key }));
      expect(await connector.write(deletes)).toEqual(deletes.map(() => ({ ok: true })));
      expect(await count(`id like 'bulk%'`)).toBe(0);
      // A batch naming a key twice goes one op at a time, in order.
      expect(
        await connector.write([
          {
            op: 'create',
            key: 'twice',
            attributes: { fullName: 'First', updated_at: '2026-01-01T00:00:00.000Z' },
          },
          { op: 'update', key: 'twice', patch: { fullName: 'Second' } },
          { op: 'delete', key: 'twice' },
        ]),
      ).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
      expect(await count(`id = 'twice'`)).toBe(0);
    });

    it('parseConnection splits the password out and names bad fields', () => {
      const { connection, secrets } = parseConnection('sql', {
        ...db.connection,
        table: 'people',
        password: 's3cret',
      });
      expect(secrets).toEqual({ password: 's3cret' });
      expect(connection).not.toHaveProperty('password');
      expect(connection).toMatchObject({
        pool: { max: 4 },
        ssl: { mode: 'disable' },
        statementTimeoutMs: 60_000,
      });
      expect(() => parseConnection('sql', { ...db.connection, table: 'people; drop' })).toThrow(
        'table: must be "table" or "schema.table"',
      );
      expect(() => parseConnection('sql', { ...db.connection, table: 't', dialect: 'oracle' })).toThrow(
        /^dialect: /,
      );
      expect(() => parseConnection('sql', { ...db.connection, table: 't', watermarkColumn: 'a b' })).toThrow(
        'watermarkColumn: must be a plain identifier',
      );
    });
  });
}
