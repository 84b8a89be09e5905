import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { type CrashWorkspace, crashWorkspace, killOnOutput } from '../helpers/crash-workspace.ts';
import { databaseKinds } from '../helpers/databases.ts';
import { runTrueup } from '../helpers/server.ts';

const accounts = 10_000;

/**
 * What a run left behind, without the ids chosen at random at plan time. Events are compared in
 * key order: the IDM objects no account points at are planned in id order, and ids are random.
 */
async function snapshot(ws: CrashWorkspace) {
  const db = await ws.open();
  try {
    const idm = await db.rows(
      sql`select employee_id, name, status, attributes from idm_objects order by employee_id`,
    );
    const events = await db.rows(
      sql`select object_key, situation, response, outcome, diff from run_events order by object_key, situation, seq`,
    );
    const [seqs] = await db.rows<{ ok: boolean }>(
      sql`select count(distinct seq) = count(*) and coalesce(max(seq) + 1, 0) = count(*) as ok from run_events`,
    );
    const links = await db.rows<{ n: number }>(sql`select count(*)::int as n from links`);
    const runs = await db.rows<{ status: string; phase: string | null }>(sql`select status, phase from runs`);
    const [stage] = await db.rows<{ n: number }>(
      sql`select (select count(*) from run_accounts) + (select count(*) from run_seen) as n`,
    );
    const csv = readFileSync(ws.system.file, 'utf8').trim().split('\n').sort();
    return {
      idm,
      events,
      links: links[0]?.n,
      runs: runs.map((r) => r.status),
      phases: runs.map((r) => r.phase),
      csv,
      staged: Number(stage?.n),
      seqsInOrder: seqs?.ok,
    };
  } finally {
    await ws.close(db);
  }
}

const phases = ['planning', 'applying'] as const;
const cases = databaseKinds.flatMap((kind) => phases.map((phase) => [phase, kind] as const));

describe.each(cases)('a run killed while %s resumes exactly [%s]', (phase, kind) => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it.runIf(kind === 'pglite' || inject('postgres'))(
    'gives the same IDM, CSV and events as an uninterrupted run',
    async () => {
      const killed = await crashWorkspace(kind, { accounts, name: 'crash-app' });
      const whole = await crashWorkspace(kind, { accounts, name: 'crash-app' });
      cleanups.push(killed.dispose, whole.dispose);

      const reference = await runTrueup(['run', whole.system.configId], whole.env);
      expect(reference.stderr).toBe('');
      expect(reference.code).toBe(0);

      const before = await snapshot(killed);
      // Killed once its progress shows the phase has begun.
      expect(await killOnOutput(killed, ['run', killed.system.configId], phase)).toBe('SIGKILL');
      const interrupted = await snapshot(killed);
      expect(interrupted.runs).toEqual(['running']);
      const planned = interrupted.events.filter((e) => e.outcome === 'planned').length;
      const applied = interrupted.events.filter((e) => e.outcome === 'applied').length;
      if (phase === 'applying') {
        expect(applied).toBeGreaterThan(0);
        expect(planned).toBeGreaterThan(0);
      } else {
        // Mid-plan: part of the plan perhaps stored, nothing written. (The stage itself may be
        // gone: it is an unlogged table, which a database that did not shut down cleanly empties.)
        expect(interrupted.phases).toEqual(['planning']);
        expect(applied).toBe(0);
        expect(interrupted.idm).toEqual(before.idm);
        expect(interrupted.csv).toEqual(before.csv);
      }

      const resumed = await runTrueup(['run', '--resume'], killed.env);
      expect(resumed.code).toBe(0);
      expect(resumed.stdout).toContain('succeeded');

      const [after, expected] = [await snapshot(killed), await snapshot(whole)];
      expect(after.runs).toEqual(['succeeded']);
      expect(after.events).toEqual(expected.events);
      expect(after.idm).toEqual(expected.idm);
      expect(after.csv).toEqual(expected.csv);
      expect(after.links).toBe(expected.links);
      expect(after.events.every((e) => e.outcome === 'applied')).toBe(true);
      // What stays staged is the full run's read accounts (its config's last read), as whole.
      // The stage is UNLOGGED: killing the process that embeds PGlite crashes the database, and
      // crash recovery empties unlogged tables (PostgreSQL's rule), so a PGlite run resumed in
      // its apply phase, which reads nothing again, has no read accounts left to show.
      expect(after.staged).toBe(kind === 'pglite' && phase === 'applying' ? 0 : expected.staged);
      expect(after.seqsInOrder).toBe(true);
    },
    180_000,
  );
});
