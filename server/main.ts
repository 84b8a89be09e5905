import path from 'node:path';
import type { Config } from './config.ts';
import { builtinRegistry, type ConnectorRegistry } from './connectors/index.ts';
import { openConnectorRegistry } from './connectors/load-plugins.ts';
import type { Database } from './db/client.ts';
import { migrateDatabase } from './db/migrate.ts';
import { openConfiguredDatabase } from './db/open.ts';
import { startLiveChangeSweep } from './jobs/live-changes.ts';
import { createScheduler } from './jobs/scheduler.ts';
import type { Logger } from './log.ts';
import { createOutboxMailer } from './mail/outbox-mailer.ts';
import { createSmtpMailer } from './mail/smtp-mailer.ts';
import { createPolicyRunner } from './sandbox/runner.ts';
import { createSecretBox } from './secrets.ts';
import { createActivityService } from './services/activity.ts';
import { createConfigService } from './services/configs/config-service.ts';
import { createDisputeService } from './services/disputes.ts';
import { createIdmService } from './services/idm.ts';
import type { Services } from './services/index.ts';
import { createLiveChangeService } from './services/live-changes.ts';
import { createMailService } from './services/mail.ts';
import { createPolicyLibrary } from './services/policies.ts';
import { createReportService } from './services/reports.ts';
import { createReviewService } from './services/review.ts';
import { createCancelService } from './services/runs/cancel-service.ts';
import { createReplayService } from './services/runs/replay-service.ts';
import { createRunService } from './services/runs/run-service.ts';
import { createScheduleService } from './services/schedules/schedule-service.ts';
import { createSystemAccounts } from './services/systems/system-accounts.ts';
import { createSystemService } from './services/systems/system-service.ts';
import { createTokenService } from './services/tokens.ts';
import { createUndoService } from './services/undo.ts';
import { connectorOpener } from './store/open-connector.ts';
import { version } from './version.ts';

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
    tokens: createTokenService({ db }),
    scheduler,
    mail,
    baseUrl,
    reports: createReportService({ db, baseUrl }),
    schedules: createScheduleService({ db }),
    configs,
    systems: createSystemService({ db, secrets, connectors, dataDir: config.dataDir }),
    accounts: createSystemAccounts({ db }),
    undo: createUndoService({
      db,
      openConnector: connectorOpener(secrets, connectors),
      restoreDays: config.idmRestoreDays,
    }),
    replays: createReplayService({
      db,
      runner: policyRunner,
      log,
      openConnector: connectorOpener(secrets, connectors),
    }),
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
