import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migratedDataDir } from '../helpers/pglite-template.ts';
import { runTrueup, startServer } from '../helpers/server.ts';

describe('trueup undo', () => {
  it('asks the running server for the undo plan, prints it, and the plan applies with trueup apply', async () => {
    // A migrated copy of the template: this test is not about a first start.
    const dataDir = migratedDataDir();
    const server = await startServer({ DATA_DIR: dataDir, DEMO_WORKSPACE: 'on' }, 120_000);
    try {
      const env = { DATA_DIR: dataDir };
      const hired = await runTrueup(['run', 'demo-hr-users'], env);
      expect(hired.code, hired.stderr).toBe(0);
      const hrFile = path.join(dataDir, 'demo/hr.csv');
      const original = readFileSync(hrFile, 'utf8');
      // The export lost Ada's row: the run disables her.
      writeFileSync(hrFile, original.replace(/^E1001,.*\n/m, ''));
      const damaged = await runTrueup(['run', 'demo-hr-users'], env);
      expect(damaged.code, damaged.stderr).toBe(0);
      const runId = /run ([0-9a-f-]{36})/.exec(damaged.stdout)?.[1];
      expect(runId, damaged.stdout).toBeDefined();

      const planned = await runTrueup(['undo', runId as string], env);
      expect(planned.stderr).toBe('');
      expect(planned.code).toBe(0);
      expect(planned.stdout).toContain(`for run ${runId}`);
      expect(planned.stdout).toMatch(/planned\s+1 inverse action/);
      const planRun = /undo plan (\S+)/.exec(planned.stdout)?.[1] as string;
      const hash = /plan hash ([0-9a-f]{64})/.exec(planned.stdout)?.[1] as string;
      const applied = await runTrueup(['apply', planRun, '--plan-hash', hash], env);
      expect(applied.code, applied.stdout + applied.stderr).toBe(0);

      const again = await runTrueup(['undo', runId as string], env);
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/was undone already, by run/);
      const missing = await runTrueup(['undo', 'no-such-run'], env);
      expect(missing.code).toBe(2);
      expect((await runTrueup(['undo'], env)).code).toBe(2);
    } finally {
      await server.stop();
    }
  }, 240_000);
});
