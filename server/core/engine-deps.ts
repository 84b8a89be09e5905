import type { Connector } from './connector-port.ts';
import type { RunMode } from './model.ts';
import type { OutcomeRecorder } from './outcome-recorder.ts';
import type { PolicyRunner, PolicySession } from './policy-port.ts';
import type { ReviewHooks } from './review-hooks.ts';
import type { RunStore } from './store-port.ts';

/** Progress of a run in flight (the RunService hands it to progress bars). */
export type EngineProgress = {
  phase: 'reading' | 'planning' | 'gating' | 'applying' | 'finishing';
  done: number;
  total: number | null;
};

/**
 * Everything a run touches comes in here, built in one place: `withEngine` in
 * server/services/runs/run-service.ts, from the stores in server/store/.
 */
export type EngineDeps = {
  store: RunStore;
  connector: Connector;
  policies: PolicyRunner | null;
  now: () => Date;
  newId: () => string;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  onProgress?: (progress: EngineProgress) => void;
  /** Actions per IDM apply batch (one transaction each); system batches are ten times larger. */
  batchSize?: number;
  /** Plan hashes and the source guard's baseline (absent: no plan hash, no drop rule). */
  review?: ReviewHooks;
  /** Every decided pair with its event (absent: nothing recorded). */
  recorder?: OutcomeRecorder;
};

/** What the stages of one run get: the run's policy session (call-policy.ts) in place of the runner. */
export type RunDeps = Omit<EngineDeps, 'policies'> & { policies: PolicySession | null };

/** The run being executed, as the engine needs it. */
export type RunView = {
  id: string;
  configId: string;
  dryRun: boolean;
  mode: RunMode;
  /** `keys` runs: the unique field keys, or `idm:<id>`, of the objects the run is for. */
  keys?: string[] | null;
};
