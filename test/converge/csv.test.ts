import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe } from 'vitest';
import { describeUserCells, type Person, type UserPeer, useIdmDatabase } from './converge-fixture.ts';

/** The convergence matrix over CSV files: one file per cell, lists as `;`-separated text. */
const columns = ['employeeId', 'name', 'email', 'roles', 'status'];

function csvPeer(): UserPeer {
  const dir = mkdtempSync(path.join(tmpdir(), 'trueup-converge-csv-'));
  return {
    async users(cell, people: Person[]) {
      const file = path.join(dir, `${cell}.csv`);
      const rows = people.map((p) =>
        [p.id, p.name, p.email, p.roles.join(';'), p.disabled ? 'disabled' : 'active'].join(','),
      );
      writeFileSync(file, `${[columns.join(','), ...rows].join('\n')}\n`);
      return {
        type: 'csv',
        uniqueFieldKey: 'employeeId',
        connection: { path: file, disabledColumn: 'status', disabledValue: 'disabled' },
        secrets: {},
        attributes: ['employeeId', 'name', 'email', 'roles'],
        config: {
          sourceAttributeName: 'employeeId',
          idmField: 'employeeId',
          policyMap: ['employeeId', 'name', 'email', 'roles'],
        },
      };
    },
    keyOf: (_cell, p) => p.id,
    idmAttributes: (_cell, p) => ({ employeeId: p.id, name: p.name, email: p.email, roles: p.roles }),
    close: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

describe('convergence over CSV', () => {
  const db = useIdmDatabase();
  describeUserCells('csv', true, async () => csvPeer(), db);
});
