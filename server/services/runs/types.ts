/**
 * The boundary between the surfaces (HTTP, CLI, scheduler) and the reconciliation engine.
 * Surfaces start runs through a RunService and read the activity history through the activity
 * service (`services/activity.ts`); the engine writes those rows.
 */

import type { Connector } from '../../core/connector-port.ts';
import type { RunMode, RunTrigger } from '../../core/model.ts';
import type { RunOutcome } from '../../core/run-engine.ts';

export type { RunMode, RunOutcome, RunTrigger };

export type StartRunRequest = {
  configId: string;
  dryRun: boolean;
  mode: RunMode;
  trigger: RunTrigger;
  /** `mode: 'keys'`: the unique field keys (or `idm:<id>`) of the objects to run for. */
  keys?: string[];
  /** Who asked for it: the API token's name, `cli`, `schedule`… (recorded as `runs.startedBy`). */
  startedBy?: string;
  /**
   * Scheduler only: the tick this run belongs to. The `runs_one_per_tick` index makes a second
   * server firing the same tick get `already_running` (the run of that tick) instead of a run.
   */
  scheduledFor?: Date;
};

/** Starts the `apply` run of a reviewed plan (checked beforehand by server/services/review.ts). */
export type StartApplyRequest = {
  planRunId: string;
  configId: string;
  mode: RunMode;
  keys: string[] | null;
  approvedBy: string;
  startedBy: string;
};

export type StartApplyOutcome = { outcome: 'started'; runId: string } | { outcome: 'conflict' };

export type StartRunOutcome =
  | { outcome: 'started'; runId: string }
  | { outcome: 'already_running'; runId: string }
  | { outcome: 'config_not_found' }
  | { outcome: 'config_inactive' };

/** Progress of a run in flight, for progress bars. */
export type RunProgress = {
  runId: string;
  phase: 'reading' | 'planning' | 'gating' | 'applying' | 'finishing';
  done: number;
  total: number | null;
};

/** Told to `onRunFinished` listeners (scheduler, mail, CLI) once a run has ended, whatever its status. */
export type RunFinished = {
  runId: string;
  configId: string;
  trigger: RunTrigger;
  dryRun: boolean;
  outcome: RunOutcome;
};

/** Wraps a run's connector: the same methods, some answered differently. */
export type ConnectorDecorator = (configId: string, connector: Connector) => Connector;

export interface RunService {
  /**
   * Calls `listener` after every run this process executes ends (a listener's failure is logged,
   * never changes the run). Returns a function that removes the listener.
   */
  onRunFinished(listener: (finished: RunFinished) => void | Promise<void>): () => void;
  /**
   * Every run of `mode` (new or resumed) reads through `decorate(configId, connector)` instead of
   * the system's own connector: how another service shapes what a kind of run reads (live runs
   * answer look-ups from their stored changes). The last one given for a mode counts.
   */
  decorateConnector(mode: RunMode, decorate: ConnectorDecorator): void;
  /** Queues a run and returns at once; the run goes on in the background. */
  start(request: StartRunRequest, onProgress?: (progress: RunProgress) => void): Promise<StartRunOutcome>;
  /** Starts an `apply` run: the plan's planned events are copied, then applied with drift checks. */
  startApply(
    request: StartApplyRequest,
    onProgress?: (progress: RunProgress) => void,
  ): Promise<StartApplyOutcome>;
  /**
   * Resolves when the run has finished, with how it ended; null for a run another process
   * executed (or one that crashed), whose row then tells its status.
   */
  wait(runId: string): Promise<RunOutcome | null>;
  /** Resumes runs a crash left `running`; returns their ids. Called at start-up and by `trueup run --resume`. */
  resumeInterrupted(onProgress?: (progress: RunProgress) => void): Promise<string[]>;
  /** The last progress of a run this process is executing (none once it ended, or elsewhere). */
  progress(runId: string): RunProgress | undefined;
  /** Waits for runs in flight (graceful shutdown). */
  drain(): Promise<void>;
}
