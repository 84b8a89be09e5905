import type { Config } from '../config.ts';
import type { ConnectorRegistry } from '../connectors/index.ts';
import type { Database } from '../db/client.ts';
import type { Scheduler } from '../jobs/scheduler.ts';
import type { Logger } from '../log.ts';
import type { PolicyService } from '../sandbox/runner.ts';
import type { SecretBox } from '../secrets.ts';
import type { ActivityService } from './activity.ts';
import type { ConfigService } from './configs/config-service.ts';
import type { DisputeService } from './disputes.ts';
import type { IdmService } from './idm.ts';
import type { LiveChangeService } from './live-changes.ts';
import type { MailService } from './mail.ts';
import type { PolicyLibrary } from './policies.ts';
import type { ReportService } from './reports.ts';
import type { ReviewService } from './review.ts';
import type { CancelService } from './runs/cancel-service.ts';
import type { ReplayService } from './runs/replay-service.ts';
import type { RunService } from './runs/types.ts';
import type { ScheduleService } from './schedules/schedule-service.ts';
import type { SystemAccounts } from './systems/system-accounts.ts';
import type { SystemService } from './systems/system-service.ts';
import type { TokenService } from './tokens.ts';
import type { UndoService } from './undo.ts';

/**
 * Everything the server, the CLI and the scheduler share, built in this one place. The engine
 * receives what it needs from here through its options object; nothing reads the environment.
 * The use cases are the services under `server/services/`; surfaces call them and translate
 * their outcomes.
 */
export type Services = {
  config: Config;
  db: Database;
  log: Logger;
  version: string;
  secrets: SecretBox;
  /** The connector types: built in, plus the plugins of CONNECTORS_DIR. */
  connectors: ConnectorRegistry;
  /** The PolicyRunner over stored policies (its sandbox worker starts on the first call). */
  policyRunner: PolicyService;
  /** Start a run, wait for it, resume interrupted ones (`services/runs/`). */
  runs: RunService;
  /** Cancel a queued or running run (`services/runs/cancel-service.ts`). */
  cancel: CancelService;
  /** API tokens: create, list, revoke, and who a request's token is (`services/tokens.ts`). */
  tokens: TokenService;
  /** Fires the configs' schedules once `start()`ed (`trueup serve` does; tests and the CLI may not). */
  scheduler: Scheduler;
  /** Completion and do-nothing mail of every run this process ends; `start()` retries what is due. */
  mail: MailService;
  /** Where links in mail and reports point. */
  baseUrl: string;
  /** A run's HTML or CSV report, its DO_NOTHING CSV (`services/reports.ts`). */
  reports: ReportService;
  /** The scheduled configs with their next tick (`services/schedules.ts`). */
  schedules: ScheduleService;
  /** Save, read and remove reconciliation configs (`services/configs/`). */
  configs: ConfigService;
  /** Managed systems: save, test the connection, take a CSV file (`services/systems/`). */
  systems: SystemService;
  /** A system's accounts as the last full runs read them (`services/systems/system-accounts.ts`). */
  accounts: SystemAccounts;
  /** The plan that undoes a run, applied through review (`services/undo.ts`). */
  undo: UndoService;
  /** Replay a recorded run with new policy versions, and diff two runs (`services/runs/`). */
  replays: ReplayService;
  /** Save, read and test policies (`services/policies.ts`). */
  policies: PolicyLibrary;
  /** The activity history: runs, events, one object's detail (`services/activity.ts`). */
  activity: ActivityService;
  /** Read the IDM; an admin's acts by hand on its objects (`services/idm.ts`). */
  idm: IdmService;
  /** Apply a reviewed or held plan (`services/review.ts`). */
  review: ReviewService;
  /** The disputes queue: DISPUTED accounts a person decides (`services/disputes.ts`). */
  disputes: DisputeService;
  /** Live changes: the webhook, and the live runs over stored changes (`services/live-changes.ts`). */
  liveChanges: LiveChangeService;
  /** Starts the sweep that drains waiting live changes and polls systems (`trueup serve` does). */
  startJobs(): void;
  /** Stops the sweep and lets no live run start; resolves once the sweep going on has ended. */
  stopJobs(): Promise<void>;
  close(): Promise<void>;
};
