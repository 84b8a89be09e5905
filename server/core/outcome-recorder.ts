import type { Correlation } from './correlate.ts';
import type { PlannedEvent } from './plan.ts';

/**
 * Sees every pair a run decides with its event, before any is left out of the stored activity
 * (DO_NOTHING events are kept only on request). A full run records them as its snapshot (what a
 * later replay runs against); a replay compares them with that snapshot.
 */
export type OutcomeRecorder = {
  /** One decided slice: `events[i]` is the event of `pairs[i]`. */
  slice(pairs: Correlation[], events: PlannedEvent[]): Promise<void>;
};
