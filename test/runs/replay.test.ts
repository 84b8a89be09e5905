import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createConnector } from '../../server/connectors/index.ts';
import type { Connector } from '../../server/core/connector-port.ts';
import { reconSituations } from '../../server/db/schema/index.ts';
import { createPolicyRunner, type PolicyService } from '../../server/sandbox/index.ts';
import { savePolicy } from '../../server/sandbox/store.ts';
import { createReplayService } from '../../server/services/runs/replay-service.ts';
import { createRunService } from '../../server/services/runs/run-service.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { addIdmUser, createCsvSystem, runToEnd } from './recon-fixture.ts';

/** The saved population copies the name; the changed one upper-cases keys ending in 0 and fails E1999. */
const population = (version: 'plain' | 'upper') =>
  version === 'plain'
    ? `import { definePopulation } from 'trueup:policy';
export default definePopulation(({ account }) => ({ name: String(account.attributes.name) }));`
    : `import { definePopulation } from 'trueup:policy';
export default definePopulation(({ account }) => {
  const key = String(account.key);
  if (key === 'E1999') throw new Error('no E1999 here');
  const raw = String(account.attributes.name);
  return { name: key.endsWith('0') ? raw.toUpperCase() : raw };
});`;

const size = 2000;
/** E0000…E1999; the first half are already IDM users (found by the recon key), the rest are new. */
const csv = `employeeId,name,email\n${Array.from({ length: size }, (_, i) => {
  const id = `E${String(i).padStart(4, '0')}`;
  return `${id},person ${i},p${i}@example.test`;
}).join('\n')}\n`;

/**
 * docs/api.md `POST /api/runs/:id/replay`: a full run keeps its snapshot; a replay with a changed
 * population policy runs the real engine against it and answers the outcome diff, writing nothing:
 * not to the system, not to the IDM, no run, event, memo or policy log.
 */
describeEachDatabase('replaying a policy on a recorded run', (db) => {
  let policies: PolicyService;
  let writes = 0;
  const openConnector = (system: Parameters<Parameters<typeof createRunService>[0]['openConnector']>[0]) => {
    const real = createConnector({
      type: system.type,
      uniqueFieldKey: system.uniqueFieldKey,
      connection: system.connection,
      secrets: {},
    });
    const watched: Connector = Object.assign(Object.create(real) as Connector, {
      write: async (ops: Parameters<Connector['write']>[0]) => {
        writes += ops.length;
        return real.write(ops);
      },
    });
    return watched;
  };
  const quiet = { info: () => {}, warn: () => {} };
  const runService = () =>
    createRunService({ db: db(), log: quiet, policies, openConnector, retentionDays: 90, snapshotRuns: 2 });
  const replays = () => createReplayService({ db: db(), runner: policies, log: quiet, openConnector });

  beforeAll(async () => {
    expect((await savePolicy(db(), 'hr/population.ts', population('plain'))).diagnostics).toEqual([]);
    policies = createPolicyRunner(db(), { memoryMb: 128, timeoutMs: 10_000, runCpuMs: 600_000 });
  });
  afterAll(async () => {
    await policies?.close();
  });

  /** Everything a replay must leave as it was. */
  const footprint = async () => {
    const [row] = await db().rows(sql`select
      (select count(*) from runs)::int as runs,
      (select count(*) from run_events)::int as events,
      (select coalesce(sum(version), 0) from idm_objects)::int as idm_versions,
      (select count(*) from idm_objects)::int as idm_objects,
      (select count(*) from links)::int as links,
      (select count(*) from decision_memos)::int as memos,
      (select count(*) from policy_logs)::int as logs,
      (select count(*) from run_accounts)::int as staged,
      (select count(*) from run_snapshots)::int as snapshot_parts,
      (select count(*) from policies)::int as policies`);
    return { ...row, connectorWrites: writes };
  };

  it('answers the changed objects of a changed population policy, and writes nothing', async () => {
    for (let i = 0; i < size / 2; i++)
      await addIdmUser(db(), `E${String(i).padStart(4, '0')}`, { name: `person ${i}` });
    const hr = await createCsvSystem(db(), csv, {
      situations: { IDM_EXISTS__RESOURCE_EXISTS: 'UPDATE_IDM_FROM_RESOURCE' },
    });
    await db().orm.insert(reconSituations).values({
      configId: hr.configId,
      situation: 'IDM_NOT_EXISTS__RESOURCE_EXISTS',
      response: 'ADD_TO_IDM',
      populationPolicy: 'hr/population.ts',
    });
    const recorded = await runToEnd(runService(), db(), { configId: hr.configId, dryRun: true });
    expect(recorded.status).toBe('succeeded');
    expect(recorded.counts.responses).toEqual({ ADD_TO_IDM: 1000, UPDATE_IDM_FROM_RESOURCE: 1000 });

    const before = await footprint();
    const file = readFileSync(hr.file, 'utf8');
    const replayed = await replays().replay({
      runId: recorded.id,
      policies: { 'hr/population.ts': population('upper') },
      by: 'test',
    });
    if (replayed.outcome !== 'replayed') throw new Error(`not replayed: ${JSON.stringify(replayed)}`);
    expect(await footprint()).toEqual(before);
    expect(readFileSync(hr.file, 'utf8')).toBe(file);
    expect(writes).toBe(0);

    // Of the 1000 new people, the 100 keys ending in 0 get an upper-case name, and E1999 fails.
    expect(replayed.status).toBe('succeeded_with_errors');
    expect(replayed.diff.counts).toEqual({
      before: 2000,
      after: 2000,
      changed: 101,
      situation: 0,
      response: 0,
      attributes: 101,
      errors: 1,
      new: 0,
      gone: 0,
      idmChangedSince: 0,
    });
    expect(replayed.diff.truncated).toBe(false);
    const e1010 = replayed.diff.changed.find((c) => c.objectKey === 'E1010');
    expect(e1010).toMatchObject({
      changes: ['attributes'],
      before: { situation: 'IDM_NOT_EXISTS__RESOURCE_EXISTS', response: 'ADD_TO_IDM', error: null },
      after: { situation: 'IDM_NOT_EXISTS__RESOURCE_EXISTS', response: 'ADD_TO_IDM', error: null },
    });
    expect(e1010?.before?.diff?.name?.after).toBe('person 1010');
    expect(e1010?.after?.diff?.name?.after).toBe('PERSON 1010');
    expect(replayed.diff.changed.find((c) => c.objectKey === 'E1999')?.changes).toEqual([
      'attributes',
      'error',
    ]);
    expect(replayed.policies.find((p) => p.path === 'hr/population.ts')?.hash).not.toBe(
      recorded.policies?.find((p) => p.path === 'hr/population.ts')?.hash,
    );

    // The saved version replayed on its own run decides exactly what the run decided.
    const same = await replays().replay({
      runId: recorded.id,
      policies: { 'hr/population.ts': population('plain') },
      by: 'test',
    });
    expect(same.outcome === 'replayed' && same.diff.counts.changed).toBe(0);
    expect(await footprint()).toEqual(before);

    // Only the config's last two full runs keep their snapshot.
    const second = await runToEnd(runService(), db(), { configId: hr.configId, dryRun: true });
    const third = await runToEnd(runService(), db(), { configId: hr.configId, dryRun: true });
    expect([second.status, third.status]).toEqual(['succeeded', 'succeeded']);
    const kept = await db().rows<{ run_id: string }>(
      sql`select distinct run_id from run_snapshots order by run_id`,
    );
    expect(kept.map((r) => r.run_id).sort()).toEqual([second.id, third.id].sort());
    expect(
      await replays().replay({
        runId: recorded.id,
        policies: { 'hr/population.ts': population('upper') },
        by: 't',
      }),
    ).toEqual({ outcome: 'no_snapshot', status: 'succeeded', mode: 'full' });
  });

  it('refuses policies that do not compile, naming the line, and unknown runs', async () => {
    const [run] = await db().rows<{ id: string }>(sql`select run_id as id from run_snapshots limit 1`);
    const broken = await replays().replay({
      runId: run!.id,
      policies: { 'hr/population.ts': 'export default definePopulation(' },
      by: 'test',
    });
    expect(broken.outcome).toBe('compile_failed');
    expect(broken.outcome === 'compile_failed' && broken.diagnostics[0]?.line).toBe(1);
    expect(await replays().replay({ runId: 'nope', policies: { 'a.ts': '' }, by: 't' })).toEqual({
      outcome: 'run_not_found',
    });
    expect(await replays().replay({ runId: run!.id, policies: {}, by: 't' })).toMatchObject({
      outcome: 'invalid',
      path: 'policies',
    });
    const [scratch] = await db().rows<{ n: number }>(
      sql`select count(*)::int as n from runs where trigger = 'replay'`,
    );
    expect(scratch?.n).toBe(0);
  });
});
