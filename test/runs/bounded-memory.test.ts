import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase } from '../helpers/databases.ts';
import { runTrueup, tempDataDir } from '../helpers/server.ts';
import { createCsvSystem } from './recon-fixture.ts';

const accounts = 200_000;

/**
 * DESIGN "Scale": a run's memory does not grow with its objects. 200k accounts against 200k IDM
 * users go through a full run (plan and apply) in a `trueup run` whose JavaScript heap is capped
 * at 256 MB (the engine that held a run in memory peaked at 540 MB RSS for 100k).
 */
describe('a run of 200k objects with the heap capped at 256 MB', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it.runIf(inject('postgres'))(
    'plans and applies every object',
    async () => {
      const db = await createTestDatabase('postgres');
      cleanups.push(() => db.close());
      // Every tenth IDM user has a new email on the source; 1% of the accounts are new.
      await db.rows(sql`insert into idm_objects (type, name, employee_id, email, attributes)
        select 'User', 'User ' || i, 'E' || i, 'e' || i || '@x',
               jsonb_build_object('employeeId', 'E' || i, 'name', 'User ' || i, 'email', 'e' || i || '@x')
        from generate_series(0, ${accounts - accounts / 100 - 1}) i`);
      const lines = ['employeeId,name,email'];
      for (let i = 0; i < accounts; i++) lines.push(`E${i},User ${i},${i % 10 === 0 ? 'new' : 'e'}${i}@x`);
      const system = await createCsvSystem(db, `${lines.join('\n')}\n`, {
        situations: {
          IDM_EXISTS__RESOURCE_EXISTS: 'UPDATE_IDM_FROM_RESOURCE',
          IDM_NOT_EXISTS__RESOURCE_EXISTS: 'ADD_TO_IDM',
        },
      });
      const env = {
        DATABASE_URL: db.url as string,
        DATA_DIR: tempDataDir(),
        SECRET_KEY: randomBytes(32).toString('hex'),
        LOG_LEVEL: 'warn',
        NODE_OPTIONS: '--max-old-space-size=256',
      };
      const run = await runTrueup(['run', system.configId], env);
      expect(run.stderr).not.toMatch(/heap out of memory/i);
      expect(run.code, run.stderr).toBe(0);
      const [counts] = await db.rows<{ users: number; renamed: number; links: number }>(sql`
        select (select count(*)::int from idm_objects where type = 'User') as users,
               (select count(*)::int from idm_objects where email like 'new%') as renamed,
               (select count(*)::int from links) as links`);
      expect(counts).toEqual({ users: accounts, renamed: accounts / 10, links: accounts });
      const [events] = await db.rows<{ situations: Record<string, number> }>(
        sql`select counts->'situations' as situations from runs`,
      );
      expect(events?.situations).toEqual({
        IDM_EXISTS__RESOURCE_EXISTS: accounts - accounts / 100,
        IDM_NOT_EXISTS__RESOURCE_EXISTS: accounts / 100,
      });
    },
    300_000,
  );
});
