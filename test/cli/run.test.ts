import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Database, type DatabaseKind, openPglite } from '../../server/db/client.ts';
import { pgliteDir } from '../../server/db/open.ts';
import { createTestDatabase, databaseKinds } from '../helpers/databases.ts';
import { migratedDataDir } from '../helpers/pglite-template.ts';
import { runTrueup } from '../helpers/server.ts';
import { addIdmUser, createCsvSystem } from '../runs/recon-fixture.ts';

const csv = 'employeeId,name,email\nE1,Ann,a@x\nE2,Bob,b@x\n';

describe.each(databaseKinds)('trueup run [%s]', (kind: DatabaseKind) => {
  const available = kind === 'pglite' || inject('postgres');
  const env: Record<string, string> = { SECRET_KEY: randomBytes(32).toString('hex'), LOG_LEVEL: 'warn' };
  const configs = { ok: '', threshold: '' };
  let dispose = async () => {};

  beforeAll(async () => {
    if (!available) return;
    env.DATA_DIR = migratedDataDir();
    let db: Database;
    if (kind === 'postgres') {
      const test = await createTestDatabase('postgres');
      env.DATABASE_URL = test.url as string;
      db = test;
      dispose = () => test.close();
    } else {
      db = await openPglite(pgliteDir(env.DATA_DIR));
    }
    for (const id of ['E7', 'E8']) await addIdmUser(db, id);
    configs.ok = (
      await createCsvSystem(db, csv, {
        name: 'cli-ok',
        situations: { IDM_NOT_EXISTS__RESOURCE_EXISTS: 'ADD_TO_IDM' },
      })
    ).configId;
    configs.threshold = (
      await createCsvSystem(db, csv, {
        name: 'cli-threshold',
        situations: { IDM_EXISTS__RESOURCE_NOT_EXISTS: 'DELETE_FROM_IDM' },
        config: { deletionThreshold: { count: 1 } },
      })
    ).configId;
    if (kind === 'pglite') await db.close();
  });
  afterAll(() => dispose());

  it.runIf(available)(
    'a dry run, then a real run: plain progress lines and a summary table, exit 0',
    async () => {
      const dry = await runTrueup(['run', configs.ok, '--dry-run'], env);
      expect(dry.code).toBe(0);
      expect(dry.stdout).toMatch(/^mode\s+full \(dry run\)$/m);
      const run = await runTrueup(['run', configs.ok], env);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^run [0-9a-f-]{36} started$/m);
      expect(run.stdout).toMatch(/^reading \d+( {2}\d+ objects\/s)?$/m);
      expect(run.stdout).toMatch(/^status\s+succeeded$/m);
      expect(run.stdout).toMatch(/^situation IDM_NOT_EXISTS__RESOURCE_EXISTS\s+2$/m);
      expect(run.stdout).toMatch(/^response ADD_TO_IDM\s+2$/m);
      expect(run.stdout).toMatch(/^errors\s+0$/m);
    },
  );

  it.runIf(available)('exits 3 when a deletion threshold stops the run', async () => {
    const run = await runTrueup(['run', configs.threshold, '--full'], env);
    expect(run.stdout).toMatch(/^status\s+stopped_by_threshold$/m);
    expect(run.stdout).toContain('nothing was written');
    expect(run.code).toBe(3);
  });

  it.runIf(available)('answers bad usage and unknown configs with exit 2', async () => {
    expect((await runTrueup(['run'], env)).code).toBe(2);
    expect((await runTrueup(['run', configs.ok, '--full', '--incremental'], env)).stderr).toContain(
      'exclude each other',
    );
    const missing = await runTrueup(['run', 'no-such-config'], env);
    expect([missing.code, missing.stderr]).toEqual([
      2,
      'trueup run: no reconciliation config "no-such-config"\n',
    ]);
    const resume = await runTrueup(['run', '--resume'], env);
    expect([resume.code, resume.stdout]).toEqual([0, 'no interrupted run to resume\n']);
  });
});
