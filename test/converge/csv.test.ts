import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe } from 'vitest';
import {
  describeGroupCells,
  describeUserCells,
  type GroupPeer,
  type Person,
  useIdmDatabase,
  usePolicies,
} from './converge-fixture.ts';

/**
 * The convergence matrix over CSV files: one file per cell, lists as `;`-separated text. A Group
 * cell's file holds people and groups, told apart by a `kind` column through a target query.
 */
const columns = ['key', 'kind', 'name', 'email', 'roles', 'member', 'status'];

const byKind = `import { defineTargetQuery } from 'trueup:policy';
export default defineTargetQuery(({ searchFilter }) => ({ type: 'csv', where: { kind: searchFilter ?? 'user' } }));`;

function csvPeer(): GroupPeer {
  const dir = mkdtempSync(path.join(tmpdir(), 'trueup-converge-csv-'));
  const write = (cell: string, rows: string[][]) => {
    const file = path.join(dir, `${cell}.csv`);
    writeFileSync(file, `${[columns, ...rows].map((row) => row.join(',')).join('\n')}\n`);
    return file;
  };
  const personRow = (p: Person) => [
    p.id,
    'user',
    p.name,
    p.email,
    p.roles.join(';'),
    '',
    p.disabled ? 'disabled' : 'active',
  ];
  const system = (file: string) => ({
    type: 'csv',
    uniqueFieldKey: 'key',
    connection: { path: file, disabledColumn: 'status', disabledValue: 'disabled' },
    secrets: {},
    attributes: ['key', 'kind', 'name', 'email', 'roles', 'member'],
    config: {
      targetQueryPolicy: 'converge/by-kind.ts',
      targetSearchFilter: 'user',
      sourceAttributeName: 'key',
      idmField: 'employeeId',
      policyMap: ['key', 'name', 'email', 'roles'],
    },
  });
  return {
    async users(cell, people) {
      return system(write(cell, people.map(personRow)));
    },
    async groups(cell, people, groups) {
      const rows = groups.map((g) => [g.name, 'group', g.name, '', '', g.members.join(';'), 'active']);
      return {
        system: system(write(cell, [...people.map(personRow), ...rows])),
        groupConfig: {
          targetQueryPolicy: 'converge/by-kind.ts',
          targetSearchFilter: 'group',
          sourceAttributeName: 'key',
          idmCustomAttribute: 'key',
          entitlementAttribute: 'member',
          policyMap: ['key', 'kind', 'name', 'member'],
        },
      };
    },
    keyOf: (_cell, p) => p.id,
    idmAttributes: (_cell, p) => ({ key: p.id, kind: 'user', name: p.name, email: p.email, roles: p.roles }),
    groupAttributes: (_cell, g) => ({ key: g.name, kind: 'group', name: g.name }),
    close: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

describe('convergence over CSV', () => {
  const db = useIdmDatabase();
  const policies = usePolicies(db, { 'converge/by-kind.ts': byKind });
  describeUserCells('csv', true, async () => csvPeer(), db, policies);
  describeGroupCells('csv', true, async () => csvPeer(), db, true, policies);
});
