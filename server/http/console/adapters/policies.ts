import type { Services } from '../../../services/index.ts';
import type {
  PolicySummaryView,
  PolicyView,
  SavePolicyOutcome,
  TestPolicyOutcome,
} from '../../../services/policies.ts';

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
  };
}
