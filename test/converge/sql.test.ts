import { afterAll, beforeAll, describe } from 'vitest';
import { createSqlFixture, type Dialect, dialectsAvailable, type SqlFixture } from '../connectors/sql-fixture.ts';
import { describeUserCells, type Person, type UserPeer, useIdmDatabase } from './converge-fixture.ts';

/**
 * The convergence matrix over SQL tables, on PostgreSQL and on MariaDB: one table per cell, with a
 * DATE, a BOOLEAN and a number besides text, and a list kept as `;`-separated text.
 */
const hired = (p: Person) => `2020-0${Number(p.id.slice(1))}-1${Number(p.id.slice(1))}`;

function sqlPeer(fixture: SqlFixture, dialect: Dialect): UserPeer {
  const bool = dialect === 'postgres' ? 'boolean' : 'boolean';
  const literal = (v: string | boolean | number) =>
    typeof v === 'string' ? `'${v.replaceAll("'", "''")}'` : dialect === 'postgres' ? String(v) : v === true ? '1' : v === false ? '0' : String(v);
  return {
    async users(cell, people) {
      const table = `people_${cell}`;
      await fixture.run(`create table ${table} (
        emp_id varchar(20) primary key, name varchar(100), email varchar(100), roles varchar(200),
        hired date, manager ${bool}, level integer, status varchar(20))`);
      for (const p of people) {
        const values = [p.id, p.name, p.email, p.roles.join(';'), hired(p), p.id === 'E1', Number(p.id.slice(1)), p.disabled ? 'disabled' : 'active'];
        await fixture.run(`insert into ${table} values (${values.map(literal).join(', ')})`);
      }
      return {
        type: 'sql',
        uniqueFieldKey: 'emp_id',
        connection: { ...fixture.connection, table, disabledColumn: 'status', disabledValue: 'disabled' },
        secrets: {},
        attributes: ['emp_id', 'name', 'email', 'roles', 'hired', 'manager', 'level'],
        config: {
          sourceAttributeName: 'emp_id',
          idmField: 'employeeId',
          policyMap: ['emp_id', 'name', 'email', 'roles', 'hired', 'manager', 'level'],
        },
      };
    },
    keyOf: (_cell, p) => p.id,
    idmAttributes: (_cell, p) => ({
      emp_id: p.id,
      name: p.name,
      email: p.email,
      roles: p.roles,
      // The IDM as another system would give it: a date as a date, a flag as a boolean.
      hired: p.id === 'E1' ? '2019-12-31' : hired(p),
      manager: p.id !== 'E1',
      level: Number(p.id.slice(1)) + 10,
    }),
    close: () => fixture.drop(),
  };
}

for (const dialect of ['postgres', 'mysql'] as const) {
  describe(`convergence over SQL (${dialect})`, () => {
    const db = useIdmDatabase();
    let fixture: SqlFixture;
    beforeAll(async () => {
      if (dialectsAvailable[dialect]) fixture = await createSqlFixture(dialect);
    });
    afterAll(async () => {});
    describeUserCells(`sql-${dialect}`, dialectsAvailable[dialect], async () => sqlPeer(fixture, dialect), db);
  });
}
