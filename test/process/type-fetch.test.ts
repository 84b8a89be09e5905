import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { isDroppedTypeFetch } from '../../server/db/postgres-type-fetch.ts';
import { testDatabaseUrl } from '../helpers/postgres.ts';
import { repoRoot } from '../helpers/server.ts';

const pinnedNode = path.join(repoRoot, 'node_modules/node/bin/node');
const child = (mode: 'guard' | 'bare' | 'other') =>
  spawnSync(pinnedNode, [path.join(import.meta.dirname, 'fixtures/type-fetch.ts'), testDatabaseUrl, mode], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 60_000,
  });

describe.runIf(inject('postgres'))('a new connection whose array-type query fails (postgres.js#1192)', () => {
  it('ends a process without the guard: the upstream defect is still there', () => {
    const bare = child('bare');
    expect(bare.stdout).toContain('query failed: 57014');
    expect(bare.stdout).not.toContain('process lived');
    expect(bare.status).not.toBe(0);
  });

  it('leaves trueup running, with one line that says what failed', () => {
    const guarded = child('guard');
    expect(guarded.stdout).toContain('query failed: 57014');
    expect(guarded.stdout).toContain('process lived');
    expect(guarded.stderr).toMatch(
      /a new PostgreSQL connection failed while it started \(57014: canceling statement/,
    );
    expect(guarded.status).toBe(0);
  });

  it('still ends the process on any other unhandled rejection', () => {
    const other = child('other');
    expect(other.stderr).toContain('a failure of its own');
    expect(other.stdout).not.toContain('process lived');
    expect(other.status).not.toBe(0);
  });
});

it('knows the type query and nothing else', () => {
  expect(isDroppedTypeFetch(Object.assign(new Error('x'), { query: 'select 1' }))).toBe(false);
  expect(isDroppedTypeFetch(new Error('read ECONNRESET'))).toBe(false);
  expect(isDroppedTypeFetch(null)).toBe(false);
  expect(
    isDroppedTypeFetch(
      Object.assign(new Error('read ECONNRESET'), {
        query: `select b.oid, b.typarray from pg_catalog.pg_type a left join pg_catalog.pg_type b on b.oid = a.typelem`,
      }),
    ),
  ).toBe(true);
});
