/**
 * What the engine asks of the review feature (docs/api.md "Review and apply", "Source guard") while it
 * plans a run. Built beside the run store (server/store/review-store.ts).
 */
export type ReviewHooks = {
  /** Accounts the config's last successful full run read: the drop rule's baseline, or null. */
  previousAccounts(configId: string): Promise<number | null>;
  /** Hashes the run's planned actions (in plan order), stores the hash on the run and returns it. */
  sealPlan(runId: string): Promise<string>;
};
