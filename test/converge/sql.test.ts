import { beforeAll, describe } from 'vitest';
import {
  createSqlFixture,
  type Dialect,
  dialectsAvailable,
  type SqlFixture,
} from '../connectors/sql-fixture.ts';
import {
  describeGroupCells,
  describeUserCells,
  type GroupPeer,
  type Person,
  useIdmDatabase,
  usePolicies,
} from './converge-fixture.ts';

/**
 * The convergence matrix over SQL tables, on PostgreSQL and on MariaDB: one table per cell, with a
 * DATE, a BOOLEAN and a number besides text, and a list kept as `;`-separated text. A Group cell's
 * table holds people and groups, told apart by a `kind` column through a target query.
 */
const hired = (p: Person) => `2020-0${Number(p.id.slice(1))}-1${Number(p.id.slice(1))}`;
const numberOf = (p: Person) => Number(p.id.slice(1));

/** `searchFilter` is `<table>:<kind>`; the table name is checked, the kind is a parameter. */
const byKind = (placeholder: string) => `import { defineTargetQuery } from 'trueup:policy';
export default defineTargetQuery(({ searchFilter }) => {
  const [table, kind] = (searchFilter ?? '').split(':');
  if (!/^people_[a-z0-9]+$/.test(table ?? '')) throw new Error('not a cell table: ' + table);
  return { type: 'sql', text: 'select * from ' + table + ' where kind = ${placeholder}', params: [kind ?? 'user'] };
});`;

function sqlPeer(fixture: () => SqlFixture, dialect: Dialect): GroupPeer {
  const literal = (v: string | boolean | number | null) => {
    if (v === null) return 'null';
    if (typeof v === 'string') return `'${v.replaceAll("'", "''")}'`;
    if (typeof v === 'boolean' && dialect === 'mysql') return v ? '1' : '0';
    return String(v);
  };
  const insert = (table: string, values: Array<string | boolean | number | null>) =>
    fixture().run(`insert into ${table} values (${values.map(literal).join(', ')})`);
  const createTable = async (cell: string, people: Person[]) => {
    const table = `people_${cell}`;
    await fixture().run(`create table ${table} (
      emp_id varchar(20) primary key, kind varchar(10), name varchar(100), email varchar(100),
      roles varchar(200), member varchar(500), hired date, manager boolean, level integer, status varchar(20))`);
    for (const p of people) {
      await insert(table, [
        p.id,
        'user',
        p.name,
        p.email,
        p.roles.join(';'),
        null,
        hired(p),
        p.id === 'E1',
        numberOf(p),
        p.disabled ? 'disabled' : 'active',
      ]);
    }
    return table;
  };
  const system = (table: string) => ({
    type: 'sql',
    uniqueFieldKey: 'emp_id',
    connection: { ...fixture().connection, table, disabledColumn: 'status', disabledValue: 'disabled' },
    secrets: {},
    attributes: ['emp_id', 'kind', 'name', 'email', 'roles', 'member', 'hired', 'manager', 'level'],
    config: {
      targetQueryPolicy: `converge/by-kind-${dialect}.ts`,
      targetSearchFilter: `${table}:user`,
      sourceAttributeName: 'emp_id',
      idmField: 'employeeId',
      policyMap: ['emp_id', 'name', 'email', 'roles', 'hired', 'manager', 'level'],
    },
  });
  return {
    users: async (cell, people) => system(await createTable(cell, people)),
    async groups(cell, people, groups) {
      const table = await createTable(cell, people);
      for (const g of groups) {
        await insert(table, [
          g.name,
          'group',
          g.name,
          null,
          null,
          g.members.join(';'),
          null,
          null,
          null,
          'active',
        ]);
      }
      return {
        system: system(table),
        groupConfig: {
          targetQueryPolicy: `converge/by-kind-${dialect}.ts`,
          targetSearchFilter: `${table}:group`,
          sourceAttributeName: 'emp_id',
          idmCustomAttribute: 'emp_id',
          entitlementAttribute: 'member',
          policyMap: ['emp_id', 'kind', 'name', 'member'],
        },
      };
    },
    keyOf: (_cell, p) => p.id,
    idmAttributes: (_cell, p) => ({
      emp_id: p.id,
      kind: 'user',
      name: p.name,
      email: p.email,
      roles: p.roles,
      // The IDM as another system would give it: a date as a date, a flag as a boolean.
      hired: p.id === 'E1' ? '2019-12-31' : hired(p),
      manager: p.id !== 'E1',
      level: numberOf(p) + 10,
    }),
    groupAttributes: (_cell, g) => ({ emp_id: g.name, kind: 'group', name: g.name }),
    close: async () => {},
  };
}

for (const dialect of ['postgres', 'mysql'] as const) {
  describe.runIf(dialectsAvailable[dialect])(`convergence over SQL (${dialect})`, () => {
    const db = useIdmDatabase();
    const policies = usePolicies(db, {
      [`converge/by-kind-${dialect}.ts`]: byKind(dialect === 'postgres' ? '$1' : '?'),
    });
    let fixture: SqlFixture;
    beforeAll(async () => {
      fixture = await createSqlFixture(dialect);
      return () => fixture.drop();
    });
    describeUserCells(`sql-${dialect}`, true, async () => sqlPeer(() => fixture, dialect), db, policies);
    describeGroupCells(
      `sql-${dialect}`,
      true,
      async () => sqlPeer(() => fixture, dialect),
      db,
      true,
      policies,
    );
  });
}
