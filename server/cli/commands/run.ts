import { loadConfig } from '../../config.ts';
import { runKeysProblem } from '../../core/lookup-accounts.ts';
import type { RunStatus } from '../../core/model.ts';
import type { RunCounts } from '../../core/store-port.ts';
import { unhandled } from '../../services/outcomes.ts';
import type { RunProgress, StartRunOutcome } from '../../services/runs/types.ts';
import { type Command, UsageError } from '../command.ts';
import { findLocalServer } from '../local-server.ts';

type Summary = {
  id: string;
  status: RunStatus;
  dryRun: boolean;
  mode: string;
  startedAt: Date | null;
  finishedAt: Date | null;
  throughput: number | null;
  counts: RunCounts;
  error: { code: string; message: string } | null;
};

/** A run the service did not start: says why on stderr and gives the exit code. */
export function refusalCode(
  command: string,
  configId: string,
  refused: Exclude<StartRunOutcome, { outcome: 'started' }>,
): number {
  switch (refused.outcome) {
    case 'config_not_found':
      process.stderr.write(`trueup ${command}: no reconciliation config "${configId}"\n`);
      return 2;
    case 'config_inactive':
      process.stderr.write(`trueup ${command}: reconciliation config "${configId}" is inactive\n`);
      return 2;
    case 'already_running':
      process.stderr.write(
        `trueup ${command}: config "${configId}" already has run ${refused.runId} in progress\n`,
      );
      return 1;
    default:
      return unhandled(refused);
  }
}

/** Exit codes per docs/api.md: 0 success, 1 failure, 3 stopped by a threshold or the source guard. */
export function exitCodeOf(status: RunStatus): number {
  switch (status) {
    case 'succeeded':
      return 0;
    case 'succeeded_with_errors':
      return 1;
    case 'stopped_by_threshold':
    case 'stopped_by_guard':
      return 3;
    case 'failed':
    case 'aborted_by_preprocessor':
    case 'cancelled':
    case 'skipped':
    case 'queued':
    case 'running':
      return 1;
    default:
      return unhandled(status);
  }
}

/** A progress bar on a terminal; plain lines (one per phase, then every 2 s) in a pipe or a log. */
export function progressPrinter(out: NodeJS.WriteStream) {
  let phase = '';
  let phaseStarted = Date.now();
  let lastLine = 0;
  return (p: RunProgress) => {
    const now = Date.now();
    if (p.phase !== phase) {
      if (out.isTTY && phase) out.write('\n');
      phase = p.phase;
      phaseStarted = now;
      lastLine = 0;
    }
    // A rate over the first instants of a phase says nothing (37 objects in 1 ms is not 37,000/s).
    const seconds = (now - phaseStarted) / 1000;
    const rate = seconds >= 0.5 ? Math.round(p.done / seconds) : null;
    const rateText = rate === null ? '' : `  ${rate} objects/s`;
    if (out.isTTY) {
      const fraction = p.total ? Math.min(p.done / p.total, 1) : 0;
      const bar = p.total ? `[${'#'.repeat(Math.round(fraction * 30)).padEnd(30, '.')}] ` : '';
      const eta = p.total && rate ? `  ETA ${Math.ceil((p.total - p.done) / rate)}s` : '';
      out.write(
        `\r${p.phase.padEnd(9)} ${bar}${p.done}${p.total ? `/${p.total}` : ''}${rateText}${eta}\x1b[K`,
      );
    } else if (lastLine === 0 || now - lastLine >= 2000) {
      lastLine = now;
      out.write(`${p.phase} ${p.done}${p.total !== null ? `/${p.total}` : ''}${rateText}\n`);
    }
  };
}

export function formatSummary(run: Summary): string {
  const seconds =
    run.startedAt && run.finishedAt ? (run.finishedAt.getTime() - run.startedAt.getTime()) / 1000 : null;
  const rows: Array<[string, string]> = [
    ['run', run.id],
    ['status', run.status],
    ['mode', `${run.mode}${run.dryRun ? ' (dry run)' : ''}`],
    ['duration', seconds === null ? '-' : `${seconds.toFixed(1)} s`],
    ['throughput', run.throughput === null ? '-' : `${Math.round(run.throughput)} objects/s`],
  ];
  for (const [name, n] of Object.entries(run.counts.situations)) rows.push([`situation ${name}`, String(n)]);
  for (const [name, n] of Object.entries(run.counts.responses)) rows.push([`response ${name}`, String(n)]);
  // What was decided above; what was written (a dry run writes nothing) below.
  if (!run.dryRun && run.counts.applied) {
    for (const [name, n] of Object.entries(run.counts.applied)) rows.push([`applied ${name}`, String(n)]);
  }
  for (const name of ['linked', 'unchanged', 'skipped'] as const) {
    const n = run.counts[name];
    if (n) rows.push([name, String(n)]);
  }
  rows.push(['errors', String(run.counts.errors)]);
  if (run.error) rows.push(['error', `${run.error.code}: ${run.error.message}`]);
  const width = Math.max(...rows.map(([k]) => k.length));
  return `${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`;
}

/** `--key` values, checked as the API checks `keys` (1–1000, unique). */
function runKeysOf(values: unknown): string[] | undefined {
  if (values === undefined) return undefined;
  const keys = (values as string[]).map((k) => k.trim());
  const problem = runKeysProblem(keys);
  if (problem) throw new UsageError(`--key: ${problem}`);
  return keys;
}

export const runCommand: Command = {
  name: 'run',
  summary: 'Run a reconciliation config now and print its summary.',
  usage: 'run <configId> [--dry-run] [--full|--incremental] [--key K…] | run --resume',
  help: [
    'options:',
    '  --dry-run       compute and record the full plan; write nothing to the IDM or the system',
    '  --full          read every account (the default)',
    '  --incremental   read only accounts changed since the last successful run (the watermark)',
    '  --key K         run for this object alone (a unique field key, or idm:<IDM object id>); repeat for up to 1000',
    '  --resume        resume runs a crash left running, applying exactly the actions still planned',
    '',
    'Exit codes: 0 success, 1 failure, 2 bad usage or configuration, 3 stopped by a deletion threshold or the source guard.',
  ].join('\n'),
  options: {
    help: { type: 'boolean', short: 'h' },
    'dry-run': { type: 'boolean' },
    full: { type: 'boolean' },
    incremental: { type: 'boolean' },
    resume: { type: 'boolean' },
    key: { type: 'string', multiple: true },
  },
  async run(args) {
    const [configId, ...extra] = args.positionals;
    const resume = args.values.resume === true;
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    if (!resume && !configId) throw new UsageError('a config id is required');
    if (resume && configId)
      throw new UsageError('--resume takes no config id: it resumes every interrupted run');
    if (args.values.full && args.values.incremental)
      throw new UsageError('--full and --incremental exclude each other');
    const keys = runKeysOf(args.values.key);
    if (keys && (args.values.incremental || resume))
      throw new UsageError('--key runs the config for those objects: it excludes --incremental and --resume');
    const config = loadConfig();
    const server = findLocalServer(config);
    if (server) {
      if (resume) {
        process.stdout.write(`the server at ${server.url} resumes interrupted runs itself when it starts\n`);
        return 0;
      }
      const { runThroughServer } = await import('../remote-run.ts');
      const finished = await runThroughServer(
        server,
        {
          configId: configId as string,
          dryRun: args.values['dry-run'] === true,
          mode: args.values.incremental ? 'incremental' : 'full',
          ...(keys ? { keys } : {}),
        },
        process.stdout,
      );
      if (typeof finished === 'number') return finished;
      process.stdout.write(formatSummary(finished));
      return exitCodeOf(finished.status);
    }
    const { withLocalServices } = await import('../local-services.ts');
    return withLocalServices(
      config,
      async (services) => {
        const progress = progressPrinter(process.stdout);
        let runIds: string[];
        if (resume) {
          runIds = await services.runs.resumeInterrupted(progress);
          if (runIds.length === 0) process.stdout.write('no interrupted run to resume\n');
        } else {
          const started = await services.runs.start(
            {
              configId: configId as string,
              dryRun: args.values['dry-run'] === true,
              mode: args.values.incremental ? 'incremental' : 'full',
              ...(keys ? { keys } : {}),
              trigger: 'cli',
              startedBy: 'cli',
            },
            progress,
          );
          if (started.outcome !== 'started') return refusalCode('run', configId as string, started);
          process.stdout.write(`run ${started.runId} started\n`);
          runIds = [started.runId];
        }
        let code = 0;
        for (const runId of runIds) {
          const outcome = await services.runs.wait(runId);
          const found = await services.activity.getRun(runId);
          if (found.outcome === 'run_not_found') continue;
          const { run } = found;
          if (process.stdout.isTTY) process.stdout.write('\n');
          process.stdout.write(
            formatSummary({
              ...run,
              startedAt: run.startedAt ? new Date(run.startedAt) : null,
              finishedAt: run.finishedAt ? new Date(run.finishedAt) : null,
              error: run.error ?? null,
            }),
          );
          // This process ran it, so its outcome is known; otherwise the recorded status tells.
          code = Math.max(code, exitCodeOf(outcome?.outcome ?? run.status));
        }
        return code;
      },
      { logLevel: config.logLevel },
    );
  },
};
