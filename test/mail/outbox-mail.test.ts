import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, expect, it } from 'vitest';
import { savePolicy } from '../../server/sandbox/store.ts';
import type { Services } from '../../server/services/index.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { clearIdm, setSituations } from '../runs/recon-fixture.ts';
import { mailingConfig, mailServices, notificationRows, runAndWait, until } from './mail-fixture.ts';

describeEachDatabase('mail without SMTP_URL: the outbox', (db) => {
  let services: Services | undefined;
  afterEach(async () => {
    await services?.mail.stop();
    await services?.policyRunner.close();
    services = undefined;
    await clearIdm(db());
  });
  const outbox = () => path.join(services!.config.dataDir, 'outbox');
  const mails = async () =>
    Promise.all(
      readdirSync(outbox())
        .filter((f) => f.endsWith('.eml'))
        .map((f) => simpleParser(readFileSync(path.join(outbox(), f)))),
    );

  it('writes the completion mail (report attached) and the do-nothing report as .eml files', async () => {
    services = mailServices(db(), {});
    const { configId } = await mailingConfig(db());
    const run = await runAndWait(services, configId);
    await until(async () => (await notificationRows(db(), run.id)).every((r) => r.status === 'sent'), 'sent');
    const parsed = await mails();
    expect(parsed).toHaveLength(2);
    const completion = parsed.find((m) => m.subject?.includes('succeeded'))!;
    expect(completion.subject).toBe('[trueup] HR users: succeeded — 2 ADD_TO_IDM applied, 0 errors');
    expect(completion.from?.value[0]?.address).toBe('trueup@localhost');
    expect(completion.text).toContain('Post-processor saw succeeded with 0 errors');
    expect(completion.html).toContain('<table');
    expect(completion.attachments[0]!.filename).toBe(`run-${run.id}-report.html`);
    expect(completion.attachments[0]!.content.toString('utf8')).toContain('Changed objects (2)');
    const doNothing = parsed.find((m) => m.subject?.includes('DO_NOTHING'))!;
    expect(doNothing.subject).toBe(`[trueup] HR users: 0 DO_NOTHING objects in run ${run.id}`);
    expect(doNothing.attachments[0]!.filename).toBe(`run-${run.id}-do-nothing.csv`);
    expect(readdirSync(outbox()).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('runs the post-processor on a run stopped by the deletion threshold, with that status', async () => {
    services = mailServices(db(), {});
    const { configId } = await mailingConfig(db(), {
      sendDoNothingReport: false,
      deletionThreshold: { count: 0 },
    });
    await setSituations(db(), configId, { IDM_NOT_EXISTS__RESOURCE_EXISTS: 'DELETE_FROM_RESOURCE' });
    const run = await runAndWait(services, configId);
    expect(run.status).toBe('stopped_by_threshold');
    await until(async () => (await notificationRows(db(), run.id))[0]?.status === 'sent', 'sent');
    const [mail] = await mails();
    expect(mail!.subject).toMatch(
      /^\[trueup\] HR users: stopped_by_threshold — 2 DELETE_FROM_RESOURCE planned, 0 errors$/,
    );
    expect(mail!.text).toContain('Post-processor saw stopped_by_threshold with 0 errors');
    expect(mail!.text).toMatch(/Deletion threshold: stopped \(the plan deletes 2 of 2 objects/);
  });

  it('runs the post-processor on a run the pre-processor aborted', async () => {
    services = mailServices(db(), {});
    await savePolicy(
      db(),
      'mail/abort.ts',
      `import { definePreProcessor } from 'trueup:policy';
export default definePreProcessor(() => ({ abort: 'maintenance window' }));`,
    );
    const { configId } = await mailingConfig(db(), {
      sendDoNothingReport: false,
      preProcessorPolicy: 'mail/abort.ts',
    });
    const run = await runAndWait(services, configId);
    expect(run.status).toBe('aborted_by_preprocessor');
    await until(async () => (await notificationRows(db(), run.id))[0]?.status === 'sent', 'sent');
    const [mail] = await mails();
    expect(mail!.subject).toBe('[trueup] HR users: aborted_by_preprocessor — 0 errors');
    expect(mail!.text).toContain('Post-processor saw aborted_by_preprocessor with 0 errors');
    expect(mail!.text).toContain('maintenance window');
  });

  it('sends nothing to a config without recipients, and records no notification', async () => {
    services = mailServices(db(), {});
    const { configId } = await mailingConfig(db(), { notificationEmail: null, postProcessorPolicy: null });
    const run = await runAndWait(services, configId);
    expect(run.status).toBe('succeeded');
    await services.mail.stop();
    expect(await notificationRows(db(), run.id)).toEqual([]);
  });
});
