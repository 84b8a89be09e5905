import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { beforeAll, expect, it } from 'vitest';
import { seedDemoWorkspace } from '../../server/demo/seed.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { createReviewApi, eventRows, type ReviewApi } from './review-fixture.ts';

/**
 * Issue 15's first finding: one stray quote in the demo's HR file disabled people still in it,
 * and the run said `succeeded`. A read with problems concludes nothing about absence: the run
 * stops before any write, names the problem, and the IDM is exactly as it was.
 */
describeEachDatabase('a damaged HR file over the demo workspace', (db) => {
  let api: ReviewApi;
  let hrFile: string;
  let clean: string;
  const idmState = () =>
    db().rows<{ employee_id: string; status: string; version: number }>(
      sql`select employee_id, status, version from idm_objects where type = 'User' order by employee_id`,
    );

  beforeAll(async () => {
    api = await createReviewApi(db());
    expect(await seedDemoWorkspace(db(), api.services.config.dataDir)).toBe(true);
    hrFile = path.join(api.services.config.dataDir, 'demo/hr.csv');
    clean = readFileSync(hrFile, 'utf8');
    expect((await api.run('demo-hr-users')).status).toBe('succeeded');
  });

  it('a stray quote on any line disables no one, and the run is not succeeded', async () => {
    const lines = clean.trimEnd().split('\n');
    const before = await idmState();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: lines.length - 1 }), fc.nat(), async (index, at) => {
        const line = lines[index] as string;
        const position = at % (line.length + 1);
        const damaged = [...lines];
        damaged[index] = `${line.slice(0, position)}"${line.slice(position)}`;
        writeFileSync(hrFile, `${damaged.join('\n')}\n`);
        try {
          const run = await api.run('demo-hr-users');
          // A quote that happens to make a valid quoted field reads clean: then nothing changed.
          if (run.status === 'succeeded') {
            expect(await idmState()).toEqual(before);
            return;
          }
          expect(run.status).toBe('stopped_by_guard');
          expect(run.error?.details).toMatchObject({ reason: 'read_problems' });
          expect(await idmState()).toEqual(before);
          const problems = (await eventRows(db(), run.id)).filter((e) => e.error?.code === 'read_problem');
          expect(problems.length).toBeGreaterThan(0);
          // Nothing the read missed is concluded: no planned disable in the held plan.
          const planned = (await eventRows(db(), run.id)).filter((e) => e.outcome === 'planned');
          expect(planned.filter((e) => e.response === 'DISABLE_IN_IDM')).toEqual([]);
        } finally {
          writeFileSync(hrFile, clean);
        }
      }),
      { numRuns: 6 },
    );
    const settled = await api.run('demo-hr-users');
    expect(settled.status).toBe('succeeded');
    expect(await eventRows(db(), settled.id)).toEqual([]);
  });
});
