import path from 'node:path';
import type { Config } from './config.ts';
import { builtinRegistry, type ConnectorRegistry } from './connectors/index.ts';
import { openConnectorRegistry } from './connectors/load-plugins.ts';
import type { Database } from './db/client.ts';
import { migrateDatabase } from './db/migrate.ts';
import { openConfiguredDatabase } from './db/open.ts';
import { startLiveChangeSweep } from './jobs/live-changes.ts';
import { createScheduler, type Scheduler } from './jobs/scheduler.ts';
import type { Logger } from './log.ts';
import { createOutboxMailer } from './mail/outbox-mailer.ts';
import { createSmtpMailer } from './mail/smtp-mailer.ts';
import { connectorOpener } from './runs/open-connector.ts';
import { createPolicyRunner, type PolicyService } from './sandbox/runner.ts';
import { createSecretBox, type SecretBox } from './secrets.ts';
import { type ActivityService, createActivityService } from './services/activity.ts';
import { type ConfigService, createConfigService } from './services/configs/config-service.ts';
import { createDisputeService, type DisputeService } from './services/disputes.ts';
import { createIdmService, type IdmService } from './services/idm.ts';
import { createLiveChangeService, type LiveChangeService } from './services/live-changes.ts';
import { createMailService, type MailService } from './services/mail.ts';
import { createPolicyLibrary, type PolicyLibrary } from './services/policies.ts';
import { createReportService, type ReportService } from './services/reports.ts';
import { createReviewService, type ReviewService } from './services/review.ts';
import { type CancelService, createCancelService } from './services/runs/cancel-service.ts';
import { createReplayService, type ReplayService } from './services/runs/replay-service.ts';
import { createRunService } from './services/runs/run-service.ts';
import type { RunService } from './services/runs/types.ts';
import { createScheduleService, type ScheduleService } from './services/schedules.ts';
import { createSystemService, type SystemService } from './services/systems/system-service.ts';
import { createTokenService, type TokenService } from './services/tokens.ts';
import { version } from './version.ts';

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
  /** Replay a recorded run with new policy versions, and diff two runs (`services/runs/`). */
  replays: ReplayService;
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
  /** Save, read and test policies (`services/policies.ts`). */
  policies: PolicyLibrary;
  /** The activity history: runs, events, one object's detail (`services/activity.ts`). */
  activity: ActivityService;
  /** Read the IDM (`services/idm.ts`). */
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

/** Wires the services around an open, migrated database (tests pass their own). */
export function buildServices(
  config: Config,
  db: Database,
  log: Logger,
  connectors: ConnectorRegistry = builtinRegistry,
): Services {
  const policyRunner = createPolicyRunner(db, config.sandbox);
  const secrets = createSecretBox(config.secretKey);
  const runs = createRunService({
    db,
    log,
    policies: policyRunner,
    openConnector: connectorOpener(secrets, connectors),
    retentionDays: config.runRetentionDays,
    staleMs: config.runStaleMs,
    snapshotRuns: config.replaySnapshots,
    // Bound below: the live-change service needs the run service to start its runs.
    liveAccounts: (configId, keys) => liveChanges.liveAccounts(configId, keys),
  });
  const liveChanges = createLiveChangeService({
    db,
    secrets,
    runs,
    openConnector: connectorOpener(secrets, connectors),
  });
  // After every run of a config: settle its live changes, then start the next waiting ones.
  runs.onRunFinished((finished) => liveChanges.settle(finished));
  let sweep: { stop(): Promise<void> } | null = null;
  const stopJobs = async () => {
    liveChanges.stop();
    await sweep?.stop();
  };
  const disputes = createDisputeService({ db });
  // DISPUTED accounts of every finished run open (or update) disputes for a person to decide.
  runs.onRunFinished((finished) => disputes.record(finished).then(() => {}));
  const scheduler = createScheduler({
    db,
    runs,
    log,
    syncMs: config.scheduleSyncMs,
    takeoverMs: Math.max(500, Math.floor(config.runStaleMs / 2)),
  });
  const baseUrl = config.publicUrl ?? `http://${config.host}:${config.port}`;
  const mailer = config.smtpUrl
    ? createSmtpMailer(config.smtpUrl, config.mailFrom)
    : createOutboxMailer(path.join(config.dataDir, 'outbox'), config.mailFrom);
  const mail = createMailService({ db, mailer, log, baseUrl, retryMs: config.mailRetryMs });
  runs.onRunFinished(mail.runFinished);
  const configs = createConfigService({ db, log });
  configs.onConfigChanged(({ configId }) => scheduler.configChanged(configId));
  return {
    config,
    db,
    log,
    version,
    secrets,
    connectors,
    policyRunner,
    runs,
    cancel: createCancelService({ db }),
    replays: createReplayService({
      db,
      runner: policyRunner,
      log,
      openConnector: connectorOpener(secrets, connectors),
    }),
    tokens: createTokenService({ db }),
    scheduler,
    mail,
    baseUrl,
    reports: createReportService({ db, baseUrl }),
    schedules: createScheduleService({ db }),
    configs,
    systems: createSystemService({ db, secrets, connectors, dataDir: config.dataDir }),
    policies: createPolicyLibrary({ db, runner: policyRunner }),
    activity: createActivityService({ db }),
    idm: createIdmService({ db }),
    review: createReviewService({ db, runs }),
    disputes,
    liveChanges,
    startJobs: () => {
      sweep ??= startLiveChangeSweep(liveChanges, log, config.liveSweepMs);
    },
    stopJobs,
    close: async () => {
      await stopJobs();
      await scheduler.stop();
      await runs.drain();
      await mail.stop();
      await policyRunner.close();
      await db.close();
    },
  };
}

/** Opens and migrates the database, then resumes runs a crash interrupted (unless told not to). */
export async function createServices(
  config: Config,
  log: Logger,
  options: { resumeRuns?: boolean } = {},
): Promise<Services> {
  // Plugins first: a bad one stops start-up before anything is opened.
  const connectors = await openConnectorRegistry(config.connectorsDir);
  const plugins = connectors.types().flatMap((type) => {
    const file = connectors.get(type)?.plugin;
    return file ? [{ type, file }] : [];
  });
  if (plugins.length > 0) log.info({ plugins }, `loaded ${plugins.length} connector plugin(s)`);
  const db = await openConfiguredDatabase(config);
  try {
    const { applied } = await migrateDatabase(db);
    log.info(
      { database: db.kind, applied },
      applied ? `applied ${applied} migration(s)` : 'schema is up to date',
    );
  } catch (error) {
    await db.close();
    throw error;
  }
  const services = buildServices(config, db, log, connectors);
  if (options.resumeRuns ?? true) await services.runs.resumeInterrupted();
  return services;
}
