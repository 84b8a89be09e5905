import type { Services } from '../../../services/index.ts';
import type {
  PolicySummaryView,
  PolicyView,
  SavePolicyOutcome,
  TestPolicyOutcome,
} from '../../../services/policies.ts';
import type { ReplayOutcome } from '../../../services/runs/replay-service.ts';

/** A replay from the editor; `no_recorded_run`: no run that used the policy kept a snapshot. */
export type ReplayOnLastRun = ReplayOutcome | { outcome: 'no_recorded_run' };

/** Policies for the console: the same save-and-compile and sample run as POST /api/policies. */
export type PolicyListItem = PolicySummaryView;
export type { SavePolicyOutcome, TestPolicyOutcome };

export function policiesAdapter(services: Services) {
  const { policies } = services;
  return {
    list: () => policies.list(),
    async get(path: string): Promise<PolicyView | null> {
      const found = await policies.get(path);
      return found.outcome === 'found' ? found.policy : null;
    },
    save: (path: string, source: string) => policies.save(path, source),
    /** Runs `source` as if saved at `path` (the editor's unsaved text), or the saved version. */
    runSample: (path: string, input: unknown, source?: string) => policies.test(path, input, source),
    /**
     * Replays the newest run that used `path` and kept its snapshot with `source` there (the
     * editor's text; nothing is saved): the same replay as POST /api/runs/:id/replay.
     */
    async replayOnLastRun(path: string, source: string, by: string): Promise<ReplayOnLastRun> {
      const last = await services.replays.lastRunUsing(path);
      if (!last) return { outcome: 'no_recorded_run' };
      return services.replays.replay({ runId: last.runId, policies: { [path]: source }, by, limit: 200 });
    },
  };
}
