/**
 * The replay figure of `npm run bench:recon`: the recorded full run replayed with a changed
 * population policy (names upper-cased), through the replay service, timed beside the run.
 */
import type { OutcomeDiffCounts } from '../../server/core/outcome-diff.ts';
import type { Database } from '../../server/db/client.ts';
import type { PolicyService } from '../../server/sandbox/runner.ts';
import { createReplayService } from '../../server/services/runs/replay-service.ts';
import { populationPolicy, populationSource } from './seed.ts';
import { openConnector } from './source-side.ts';

export type ReplayFigures = {
  seconds: number;
  runSeconds: number;
  status: string;
  counts: OutcomeDiffCounts;
};

export const changedPopulation = populationSource.replace(
  "name: typeof cn === 'string' ? cn.trim() : null",
  "name: typeof cn === 'string' ? cn.trim().toUpperCase() : null",
);

export async function measureReplay(
  db: Database,
  runner: PolicyService,
  run: { id: string; seconds: number },
): Promise<ReplayFigures> {
  if (changedPopulation === populationSource) throw new Error('the changed population policy is not changed');
  const replays = createReplayService({ db, runner, log: { info: () => {}, warn: () => {} }, openConnector });
  const started = performance.now();
  const replayed = await replays.replay({
    runId: run.id,
    policies: { [populationPolicy]: changedPopulation },
    by: 'bench',
    limit: 1,
  });
  const seconds = (performance.now() - started) / 1000;
  if (replayed.outcome !== 'replayed') throw new Error(`the replay did not run: ${JSON.stringify(replayed)}`);
  return { seconds, runSeconds: run.seconds, status: replayed.status, counts: replayed.diff.counts };
}

/** One line: the replay's time beside the run's, and what it found. */
export function describeReplay(r: ReplayFigures): string {
  const c = r.counts;
  return [
    `replay of the full run with a changed population policy: ${r.seconds.toFixed(2)} s (the run itself: ${r.runSeconds.toFixed(2)} s), plan ${r.status};`,
    `  ${c.changed} of ${c.before} objects decided differently (situation ${c.situation}, response ${c.response}, attributes ${c.attributes}, errors ${c.errors}, new ${c.new}, gone ${c.gone}; ${c.idmChangedSince} with an IDM object the run itself wrote since)`,
  ].join('\n');
}
