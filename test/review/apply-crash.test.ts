import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { type CrashWorkspace, crashWorkspace, startTrueup } from '../helpers/crash-workspace.ts';
import { databaseKinds } from '../helpers/databases.ts';
import { runTrueup } from '../helpers/server.ts';

const accounts = 4000;

/** What the apply run left behind, without the ids chosen at random at plan time. */
async function snapshot(ws: CrashWorkspace) {
  const db = await ws.open();
  try {
    const idm = await db.rows(
      sql`select employee_id, name, status, attributes, version from idm_objects order by employee_id`,
    );
    // By key: the order among IDM objects without an account follows their (random) ids.
    const events = await db.rows<{ outcome: string }>(sql`select e.object_key, e.situation, e.response,
      e.outcome, e.diff from run_events e join runs r on r.id = e.run_id where r.trigger = 'apply' order by e.object_key`);
    const links = await db.rows<{ n: number }>(sql`select count(*)::int as n from links`);
    const runs = await db.rows<{ trigger: string; status: string }>(
      sql`select trigger, status from runs order by created_at`,
    );
    const csv = readFileSync(ws.system.file, 'utf8').trim().split('\n').sort();
    return { idm, events, links: links[0]?.n, runs, csv };
  } finally {
    await ws.close(db);
  }
}

async function plan(ws: CrashWorkspace) {
  const result = await runTrueup(['plan', ws.system.configId], ws.env);
  expect(result.code, result.stderr).toBe(0);
  const hash = /plan hash\s+([0-9a-f]{64})/.exec(result.stdout)?.[1];
  const runId = /^run\s+(\S+)$/m.exec(result.stdout)?.[1];
  expect(hash).toBeDefined();
  return { runId: runId as string, hash: hash as string, stdout: result.stdout };
}

describe.each(databaseKinds)('an apply run killed mid-apply resumes exactly [%s]', (kind) => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it.runIf(kind === 'pglite' || inject('postgres'))(
    'gives the same IDM, CSV and events as an uninterrupted apply',
    async () => {
      const killed = await crashWorkspace(kind, { accounts, name: 'crash-apply' });
      const whole = await crashWorkspace(kind, { accounts, name: 'crash-apply' });
      cleanups.push(killed.dispose, whole.dispose);

      const reference = await plan(whole);

      expect(reference.stdout).toContain('response ADD_TO_RESOURCE');
      const applied = await runTrueup(['apply', reference.runId, '--plan-hash', reference.hash], whole.env);
      expect(applied.stderr).toBe('');
      expect(applied.code).toBe(0);

      const reviewed = await plan(killed);
      // Killed once the apply run's progress shows applying has begun.
      const args = ['apply', reviewed.runId, '--plan-hash', reviewed.hash];
      const applying = startTrueup(killed, args);
      await applying.waitFor(/^applying/m);
      expect(await applying.kill()).toBe('SIGKILL');
      const interrupted = await snapshot(killed);
      expect(interrupted.runs).toEqual([
        { trigger: 'cli', status: 'succeeded' },
        { trigger: 'apply', status: 'running' },
      ]);
      expect(interrupted.events.filter((e) => e.outcome === 'applied').length).toBeGreaterThan(0);
      expect(interrupted.events.filter((e) => e.outcome === 'planned').length).toBeGreaterThan(0);

      const resumed = await runTrueup(['run', '--resume'], killed.env);

      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stdout).toContain('succeeded');

      const [after, expected] = [await snapshot(killed), await snapshot(whole)];
      expect(after.runs).toEqual(expected.runs);
      expect(after.events).toEqual(expected.events);
      expect(after.idm).toEqual(expected.idm);
      expect(after.csv).toEqual(expected.csv);
      expect(after.links).toBe(expected.links);
      expect(after.events.every((e) => e.outcome === 'applied')).toBe(true);

      // And the plan cannot be applied a second time.
      const twice = await runTrueup(['apply', reviewed.runId], killed.env);
      expect(twice.code).toBe(1);
      expect(twice.stderr).toContain('applied already');
    },
    600_000,
  );
});
