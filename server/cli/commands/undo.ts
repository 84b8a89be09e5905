import { loadConfig } from '../../config.ts';
import type { NotUndone, UndoPlanOutcome } from '../../services/undo.ts';
import { type Command, UsageError } from '../command.ts';
import { findLocalServer } from '../local-server.ts';

type Planned = Extract<UndoPlanOutcome, { outcome: 'planned' }>;

const say = (message: string) => process.stderr.write(`trueup undo: ${message}\n`);

/** Prints the undo plan: its run and hash, and what it will not undo, before anything is applied. */
function printPlan(plan: Omit<Planned, 'outcome'>) {
  const lines = [
    `undo plan ${plan.runId} for run ${plan.undoOf}`,
    `plan hash ${plan.planHash}`,
    `planned   ${plan.planned} inverse action(s)`,
  ];
  if (plan.notUndone.length > 0) {
    lines.push(`not undone (${plan.notUndone.length}):`);
    for (const item of plan.notUndone) lines.push(`  ${describe(item)}`);
  }
  lines.push(`review it, then: trueup apply ${plan.runId} --plan-hash ${plan.planHash}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

const describe = (item: NotUndone) =>
  `${item.objectKey ?? item.idmObjectId ?? `event ${item.seq}`}  ${item.code}: ${item.reason}`;

/** docs/api.md CLI `undo <runId>`: makes the plan that inverts a run's applied actions; applies nothing. */
export const undoCommand: Command = {
  name: 'undo',
  summary: 'Plan the undo of a run: the inverse of every action it applied (apply it like any plan).',
  usage: 'undo <runId>',
  help: [
    'Makes a dry run whose plan restores what the run changed: before-values of updates,',
    'enables what it disabled, brings back what it deleted (IDM objects within IDM_RESTORE_DAYS),',
    'deletes what it created. Objects changed since the run are skipped; everything that cannot be',
    'undone is listed with the reason. Nothing is written until you apply the plan:',
    '  trueup apply <undo plan run> --plan-hash <hash>',
    '',
    'Exit codes: 0 plan made, 1 the run cannot be undone (or was undone already), 2 no such run',
    'or bad usage.',
  ].join('\n'),
  options: { help: { type: 'boolean', short: 'h' } },
  async run({ positionals }) {
    const [runId, ...extra] = positionals;
    if (!runId) throw new UsageError('a run id is required (see trueup history)');
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const config = loadConfig();
    const server = findLocalServer(config);
    if (server) {
      const { createApiClient, ApiClientError } = await import('../api-client.ts');
      const client = createApiClient(server);
      try {
        printPlan(
          await client.json<Omit<Planned, 'outcome'>>('POST', `/api/runs/${encodeURIComponent(runId)}/undo`),
        );
        return 0;
      } catch (error) {
        if (!(error instanceof ApiClientError) || (error.status !== 404 && error.status !== 409)) throw error;
        say(error.message);
        return error.status === 404 ? 2 : 1;
      }
    }
    const { withLocalServices } = await import('../local-services.ts');
    return withLocalServices(config, async (services) => {
      // In-process the CLI is the machine's own administrator, recorded as `cli`.
      const result = await services.undo.plan({ runId, approver: { name: 'cli', role: 'admin' } });
      switch (result.outcome) {
        case 'planned': {
          const { outcome: _outcome, ...plan } = result;
          printPlan(plan);
          return 0;
        }
        case 'run_not_found':
          say(`no run "${runId}"`);
          return 2;
        case 'not_undoable':
          say(`run ${runId} cannot be undone: ${result.reason}`);
          return 1;
        case 'already_undone':
          say(`run ${runId} was undone already, by run ${result.runId}`);
          return 1;
        case 'config_not_found':
          say('the config of this run no longer exists');
          return 1;
        case 'forbidden':
          say(result.reason);
          return 1;
      }
    });
  },
};
