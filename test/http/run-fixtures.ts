import { existsSync } from 'node:fs';
import type { Database } from '../../server/db/client.ts';
import { migrateDatabase } from '../../server/db/migrate.ts';
import { openConfiguredDatabase, pgliteDir } from '../../server/db/open.ts';
import { managedSystems, reconConfigs, runEvents, runs } from '../../server/db/schema/index.ts';
import type { TestDatabase } from '../helpers/databases.ts';
import { copyPgliteTemplate } from '../helpers/pglite-template.ts';

/** A queued or running run of a config, as a server would have left it (no one executes it). */
export async function insertActiveRun(
  db: Database,
  configId: string,
  status: 'queued' | 'running',
): Promise<string> {
  const [row] = await db.orm
    .insert(runs)
    .values({
      configId,
      status,
      ...(status === 'running' ? { startedAt: new Date(), phase: 'applying' } : {}),
    })
    .returning({ id: runs.id });
  return (row as { id: string }).id;
}

export type SeededRuns = { configId: string; otherConfigId: string; runIds: string[]; eventRunId: string };

/**
 * History as the engine writes it: a config with 5 finished runs an hour apart (newest last in
 * `runIds`), another config with one failed run, and 250 events on the newest run.
 */
export async function seedRuns(db: TestDatabase): Promise<SeededRuns> {
  const [system] = await db.orm
    .insert(managedSystems)
    .values({
      name: `sys-${Math.random()}`,
      type: 'csv',
      uniqueFieldKey: 'id',
      connection: { path: '/tmp/x.csv' },
    })
    .returning();
  const [config, other] = await db.orm
    .insert(reconConfigs)
    .values([
      { systemId: system!.id, objectType: 'User' },
      { systemId: system!.id, objectType: 'Group' },
    ])
    .returning();
  const base = Date.parse('2025-03-01T08:00:00.000Z');
  const runIds: string[] = [];
  for (let i = 0; i < 5; i++) {
    const [run] = await db.orm
      .insert(runs)
      .values({
        configId: config!.id,
        status: i === 2 ? 'stopped_by_threshold' : 'succeeded',
        dryRun: i === 1,
        startedBy: i === 2 ? 'ci-bot' : null,
        startedAt: new Date(base + i * 3_600_000),
        finishedAt: new Date(base + i * 3_600_000 + 2_000),
        createdAt: new Date(base + i * 3_600_000),
        counts: {
          situations: { IDM_EXISTS__RESOURCE_EXISTS: 10 * i },
          responses: { DO_NOTHING: 10 * i },
          errors: i,
        },
        throughput: 100 + i,
      })
      .returning();
    runIds.push(run!.id);
  }
  await db.orm.insert(runs).values({
    configId: other!.id,
    status: 'failed',
    createdAt: new Date(base + 30 * 60_000),
    error: { code: 'CONNECTOR_FAILED', message: 'cannot open /tmp/x.csv' },
  });
  const eventRunId = runIds[4]!;
  const situations = ['IDM_EXISTS__RESOURCE_EXISTS', 'IDM_NOT_EXISTS__RESOURCE_EXISTS', 'DISPUTED'];
  await db.orm.insert(runEvents).values(
    Array.from({ length: 250 }, (_, i) => ({
      runId: eventRunId,
      seq: i + 1,
      objectKey: i === 0 ? '=HYPERLINK("http://evil.example","click")' : `emp-${i + 1}`,
      idmObjectId: i % 3 === 1 ? null : `idm-${i + 1}`,
      situation: situations[i % 3]!,
      response: i % 3 === 0 ? 'UPDATE_IDM_FROM_RESOURCE' : i % 3 === 1 ? 'ADD_TO_IDM' : 'DO_NOTHING',
      outcome: i % 10 === 9 ? ('failed' as const) : ('applied' as const),
      diff:
        i % 3 === 0
          ? {
              mail: { before: `old${i}@x`, after: `new${i}@x` },
              title: { before: null, after: 'Eng, "Lead"' },
            }
          : null,
      action: { kind: 'update', key: `emp-${i + 1}` },
      policyOutput: i % 3 === 1 ? { name: `Person ${i + 1}` } : null,
      error:
        i % 10 === 9
          ? { code: 'POLICY_ERROR', message: 'boom, at line 3', policy: { path: 'p.ts', line: 3 } }
          : null,
    })),
  );
  return { configId: config!.id, otherConfigId: other!.id, runIds, eventRunId };
}

/**
 * The same runs, in the embedded database of a DATA_DIR the CLI will open; a folder with no database
 * yet starts from the migrated template.
 */
export async function seedRunsInDataDir(dataDir: string): Promise<SeededRuns> {
  if (!existsSync(pgliteDir(dataDir))) copyPgliteTemplate(pgliteDir(dataDir));
  const db = await openConfiguredDatabase({ databaseUrl: undefined, dataDir });
  try {
    await migrateDatabase(db);
    return await seedRuns(db);
  } finally {
    await db.close();
  }
}
