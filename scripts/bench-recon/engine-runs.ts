/**
 * The engine side of `npm run bench:recon`, in a process of its own (so its peak RSS is one
 * setup's): the four runs over a seeded source, with the policies sandboxed or in-process, then
 * (sandboxed) the replay of the full run.
 */
import { writeFileSync } from 'node:fs';
import postgres from 'postgres';
import { openPostgres } from '../../server/db/client.ts';
import { type ManagedSystemRow, managedSystems } from '../../server/db/schema/index.ts';
import { createPolicyRunner } from '../../server/sandbox/index.ts';
import { createRunService } from '../../server/services/runs/run-service.ts';
import type { RunMode } from '../../server/services/runs/types.ts';
import { createInProcessPolicyRunner } from '../in-process-policies.ts';
import { createPeakMeter, measureRun, type RunContext } from './measure-run.ts';
import { describeReplay, measureReplay, type ReplayFigures } from './replay-run.ts';
import { describeRun, type Measured, type PolicyMode, type Scenario } from './report.ts';
import { changedUids, populationPolicy, type Source } from './seed.ts';
import { changeSource, openConnector } from './source-side.ts';

export type EngineRunsRequest = {
  source: Source;
  policies: PolicyMode;
  n: number;
  databaseUrl: string;
  configId: string;
  /** Where the figures go, as JSON: `{ measured, replay }`. */
  resultsFile: string;
};
/** `replay`: the sandboxed setup only (a replay runs its policies in the sandbox). */
export type EngineRunsResult = { measured: Measured[]; replay: ReplayFigures | null };

const say = (text: string) => process.stdout.write(`${text}\n`);

export async function runEngineScenarios(request: EngineRunsRequest) {
  const { source, policies, n, configId } = request;
  const db = await openPostgres(request.databaseUrl);
  const sandboxed = createPolicyRunner(db, { memoryMb: 256, timeoutMs: 60_000, runCpuMs: 3_600_000 });
  const poller = postgres(request.databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const [system] = (await db.orm.select().from(managedSystems)) as [ManagedSystemRow];
    if (policies === 'sandboxed') {
      // Warm the sandbox (worker start and compile) so the figure is the run, not the first start.
      await sandboxed.call(populationPolicy, 'population', 'default', []);
    }
    const service = createRunService({
      db,
      log: { info: () => {}, warn: (o, m) => process.stderr.write(`${m} ${JSON.stringify(o)}\n`) },
      // The in-process runner reads the same stored builds through the sandboxed runner, whose
      // workers then never start.
      policies: policies === 'sandboxed' ? sandboxed : createInProcessPolicyRunner(sandboxed.loadBuild),
      openConnector,
      retentionDays: 90,
    });
    const meter = createPeakMeter(policies === 'sandboxed' ? () => sandboxed.sandbox.pids : () => []);
    const context: RunContext = { service, db, poller, meter, configId };
    const measured: Measured[] = [];
    const run = async (scenario: Scenario, mode: RunMode) => {
      const m: Measured = { source, policies, scenario, figures: await measureRun(context, mode) };
      say(describeRun(m));
      measured.push(m);
    };
    await run('full', 'full');
    await run('no-change full', 'full');
    for (const [scenario, count, value] of [
      ['incremental, 100 changed', 100, 'Changed On Source'],
      ['incremental, 1% changed', Math.floor(n / 100), 'Changed Again On Source'],
    ] as const) {
      const uids = changedUids(n, count);
      await changeSource(system, uids, value);
      say(`changed cn of ${uids.length} accounts on the source`);
      await run(scenario, 'incremental');
    }
    // Last, so that what the replay leaves in the heap is in no run's peak RSS.
    const full = measured[0]?.figures;
    const replay =
      policies === 'sandboxed' && full
        ? await measureReplay(db, sandboxed, { id: full.runId, seconds: full.seconds })
        : null;
    if (replay) say(describeReplay(replay));
    const result: EngineRunsResult = { measured, replay };
    writeFileSync(request.resultsFile, JSON.stringify(result));
  } finally {
    await sandboxed.close();
    await poller.end();
    await db.close();
  }
}
