import { readFileSync } from 'node:fs';
import { loadConfig } from '../../config.ts';
import type { ChangedObject, OutcomeDiff, OutcomeSide } from '../../core/outcome-diff.ts';
import type { ReplayOutcome } from '../../services/runs/replay-service.ts';
import { type Command, UsageError } from '../command.ts';
import { findLocalServer } from '../local-server.ts';

type Replayed = Omit<Extract<ReplayOutcome, { outcome: 'replayed' }>, 'outcome' | 'diff'> & OutcomeDiff;

const say = (message: string) => process.stderr.write(`trueup replay: ${message}\n`);

/** `--policy path=file.ts`, each read from its file. */
function policiesOf(values: unknown): Record<string, string> {
  const given = Array.isArray(values) ? (values as string[]) : [];
  if (given.length === 0) throw new UsageError('name at least one --policy <path>=<file>');
  const policies: Record<string, string> = {};
  for (const entry of given) {
    const at = entry.indexOf('=');
    if (at <= 0 || at === entry.length - 1)
      throw new UsageError(
        `--policy "${entry}": write it as <path>=<file>, e.g. hr/population.ts=./population.ts`,
      );
    const file = entry.slice(at + 1);
    try {
      policies[entry.slice(0, at)] = readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError(`--policy ${entry}: cannot read ${file}: ${(error as Error).message}`);
    }
  }
  return policies;
}

const sideText = (side: OutcomeSide | null) =>
  side
    ? `${side.situation ?? '-'} ${side.response ?? '-'}${side.error ? ` (failed: ${side.error})` : ''}`
    : '(none)';

function changeLines(entry: ChangedObject): string[] {
  const lines = [
    `  ${entry.objectKey}  [${entry.changes.join(', ')}]${entry.idmChangedSince ? '  (IDM object changed since)' : ''}`,
  ];
  const before = sideText(entry.before);
  const after = sideText(entry.after);
  lines.push(before === after ? `      ${after}` : `      ${before}  ->  ${after}`);
  if (entry.changes.includes('attributes')) {
    const names = new Set([
      ...Object.keys(entry.before?.diff ?? {}),
      ...Object.keys(entry.after?.diff ?? {}),
    ]);
    for (const name of names) {
      const was = JSON.stringify(entry.before?.diff?.[name]?.after ?? null);
      const now = JSON.stringify(entry.after?.diff?.[name]?.after ?? null);
      if (was !== now) lines.push(`      ${name}: ${was} -> ${now}`);
    }
  }
  return lines;
}

function print(replayed: Replayed) {
  const c = replayed.counts;
  const out = [
    `replayed run ${replayed.runId} in ${(replayed.durationMs / 1000).toFixed(1)} s: the plan would end ${replayed.status}`,
    `${c.changed} of ${c.before} object(s) decided differently: situation ${c.situation}, response ${c.response}, attributes ${c.attributes}, errors ${c.errors}, new ${c.new}, gone ${c.gone}`,
  ];
  if (c.idmChangedSince > 0)
    out.push(
      `${c.idmChangedSince} of them have an IDM object written since the run (part of their change may be that)`,
    );
  for (const entry of replayed.changed) out.push(...changeLines(entry));
  if (replayed.truncated) out.push(`  … and ${c.changed - replayed.changed.length} more (--limit)`);
  out.push('nothing was written');
  process.stdout.write(`${out.join('\n')}\n`);
}

/** What the command prints for each refusal, and its exit code. */
function refused(runId: string, result: Exclude<ReplayOutcome, { outcome: 'replayed' }>): number {
  switch (result.outcome) {
    case 'run_not_found':
      say(`no run "${runId}"`);
      return 2;
    case 'config_not_found':
      say(`run ${runId} has no config any more`);
      return 1;
    case 'no_snapshot':
      say(`run ${runId} kept no snapshot to replay (status ${result.status}, mode ${result.mode})`);
      return 1;
    case 'compile_failed':
      for (const d of result.diagnostics.filter((d) => d.severity === 'error'))
        say(`${d.file ?? result.path}:${d.line}:${d.column}: ${d.message}`);
      return 1;
    case 'replay_failed':
      say(`the replay could not plan: ${result.error.message}`);
      return 1;
    case 'invalid':
      say(`${result.path}: ${result.message}`);
      return 2;
  }
}

/** docs/api.md CLI `replay <runId> --policy <path>=<file>…`: prints the outcome diff. */
export const replayCommand: Command = {
  name: 'replay',
  summary: 'Replay a recorded run with new policy versions and print what would be decided differently.',
  usage: 'replay <runId> --policy <path>=<file>… [--limit N] [--json]',
  help: [
    "Runs the config's correlation and decisions against the run's recorded snapshot (the accounts",
    'it read), with the given policy files in place of the saved versions at those paths, in the',
    'sandbox. Nothing is saved or written: not the policies, not the IDM, not the system.',
    '',
    'options:',
    '  --policy <path>=<file>   a policy path and the file with its new source (repeatable)',
    '  --limit N                list at most N changed objects (default 500; the counts cover all)',
    '  --json                   print the answer as JSON',
    '',
    'Exit codes: 0 replayed, 1 the run kept no snapshot or a policy does not compile or the replay',
    'could not plan, 2 no such run or bad usage.',
  ].join('\n'),
  options: {
    help: { type: 'boolean', short: 'h' },
    policy: { type: 'string', multiple: true },
    limit: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ values, positionals }) {
    const [runId, ...extra] = positionals;
    if (!runId) throw new UsageError('a run id is required (see trueup history)');
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const policies = policiesOf(values.policy);
    const limit = values.limit === undefined ? undefined : Number(values.limit);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 5000))
      throw new UsageError('--limit must be a whole number from 1 to 5000');
    const show = (replayed: Replayed) => {
      if (values.json) process.stdout.write(`${JSON.stringify(replayed, null, 2)}\n`);
      else print(replayed);
      return 0;
    };
    const config = loadConfig();
    const server = findLocalServer(config);
    if (server) {
      const { createApiClient, ApiClientError } = await import('../api-client.ts');
      const client = createApiClient(server);
      const query = limit ? `?limit=${limit}` : '';
      try {
        return show(
          await client.json<Replayed>('POST', `/api/runs/${encodeURIComponent(runId)}/replay${query}`, {
            policies,
          }),
        );
      } catch (error) {
        if (!(error instanceof ApiClientError) || error.status >= 500) throw error;
        say(error.message);
        return error.status === 404 || error.status === 400 ? 2 : 1;
      }
    }
    const { withLocalServices } = await import('../local-services.ts');
    return withLocalServices(config, async (services) => {
      const result = await services.replays.replay({
        runId,
        policies,
        by: 'cli',
        ...(limit ? { limit } : {}),
      });
      if (result.outcome !== 'replayed') return refused(runId, result);
      const { outcome: _outcome, diff, ...rest } = result;
      return show({ ...rest, ...diff });
    });
  },
};
