import { callPolicyOnce } from './call-policy.ts';
import type { EngineDeps, RunDeps, RunView } from './engine-deps.ts';
import type { Vars } from './policy-port.ts';
import type { EngineConfig } from './recon-config.ts';
import type { RunCounts } from './store-port.ts';

/** The post-processor's `notify` output: extra recipients and a line for the completion mail. */
export type RunNotify = { to: string[]; message: string | null };

type Ending = { outcome: string; counts?: RunCounts };

/**
 * DESIGN step 9 on every ending (succeeded, failed, stopped by a gate, aborted), with the real
 * status. The run has already ended when this is called: a failing post-processor is logged and
 * loses its `notify`, but never changes how the run ended.
 */
export async function postProcess(
  run: RunView,
  config: EngineConfig,
  deps: EngineDeps | RunDeps,
  ending: Ending,
  vars: Vars,
): Promise<RunNotify | undefined> {
  if (!config.postProcessorPolicy) return undefined;
  let counts = ending.counts;
  if (!counts) counts = (await deps.store.finishingState(run.id).catch(() => null))?.counts;
  try {
    const result = await callPolicyOnce(
      deps.policies,
      config.postProcessorPolicy,
      'postProcessor',
      'default',
      {
        summary: {
          runId: run.id,
          status: ending.outcome,
          dryRun: run.dryRun,
          counts: counts ?? { situations: {}, responses: {}, errors: 0 },
        },
        system: config.system,
        vars,
      },
    );
    const notify = result?.notify;
    if (!notify) return undefined;
    return {
      to: (notify.to ?? []).filter((address) => typeof address === 'string' && address.trim() !== ''),
      message: typeof notify.message === 'string' && notify.message.trim() !== '' ? notify.message : null,
    };
  } catch (error) {
    deps.log.warn(
      {
        runId: run.id,
        policy: config.postProcessorPolicy,
        error: error instanceof Error ? error.message : String(error),
      },
      'the post-processor failed; the run keeps its status',
    );
    return undefined;
  }
}
