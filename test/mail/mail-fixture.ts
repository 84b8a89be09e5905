import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { loadConfig } from '../../server/config.ts';
import type { Database } from '../../server/db/client.ts';
import { runNotifications, runs } from '../../server/db/schema/index.ts';
import { createLogger } from '../../server/log.ts';
import { buildServices } from '../../server/main.ts';
import { savePolicy } from '../../server/sandbox/store.ts';
import type { Services } from '../../server/services/index.ts';
import { tempDataDir } from '../helpers/server.ts';
import { createCsvSystem } from '../runs/recon-fixture.ts';

export type Inbox = { port: number; mails: ParsedMail[]; close(): Promise<void> };

/** A real SMTP server in this process; every message it accepts is parsed with mailparser. */
export function startSmtpServer(port = 0): Promise<Inbox> {
  const mails: ParsedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          mails.push(mail);
          callback();
        })
        .catch(callback);
    },
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      resolve({
        port: (server.server.address() as AddressInfo).port,
        mails,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

/** The real services of main.ts around a test database, with mail configured by `env`. */
export function mailServices(db: Database, env: Record<string, string>): Services {
  const config = loadConfig({
    DATA_DIR: tempDataDir(),
    SECRET_KEY: randomBytes(32).toString('hex'),
    PUBLIC_URL: 'https://trueup.example',
    ...env,
  });
  return buildServices(config, db, createLogger('silent'));
}

export const postProcessor = `import { definePostProcessor } from 'trueup:policy';
export default definePostProcessor(({ summary }) => ({
  notify: { to: ['auditor@example.com'], message: 'Post-processor saw ' + summary.status + ' with ' + summary.counts.errors + ' errors' },
}));`;

/** A CSV config that mails ann@ and ops@: two new users, one unchanged (DO_NOTHING), one post-processor. */
export async function mailingConfig(db: Database, config: Record<string, unknown> = {}) {
  const saved = await savePolicy(db, 'mail/post.ts', postProcessor);
  if (saved.diagnostics.length > 0) throw new Error(JSON.stringify(saved.diagnostics));
  return createCsvSystem(db, 'employeeId,name,email\nE1,Ann,ann@x\nE2,Bob,bob@x\n', {
    name: `mail-${randomBytes(4).toString('hex')}`,
    config: {
      name: 'HR users',
      notificationEmail: 'owner@example.com, ops@example.com',
      sendDoNothingReport: true,
      postProcessorPolicy: 'mail/post.ts',
      ...config,
    },
    situations: { IDM_NOT_EXISTS__RESOURCE_EXISTS: 'ADD_TO_IDM', IDM_EXISTS__RESOURCE_EXISTS: 'DO_NOTHING' },
  });
}

export async function runAndWait(services: Services, configId: string) {
  const started = await services.runs.start({ configId, dryRun: false, mode: 'full', trigger: 'api' });
  if (started.outcome !== 'started') throw new Error(`run did not start: ${started.outcome}`);
  await services.runs.wait(started.runId);
  const [run] = await services.db.orm.select().from(runs).where(eq(runs.id, started.runId));
  return run!;
}

export async function notificationRows(db: Database, runId: string) {
  return db.orm.select().from(runNotifications).where(eq(runNotifications.runId, runId));
}

export async function until<T>(
  probe: () => Promise<T | null | undefined | false>,
  what: string,
  ms = 20_000,
) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
