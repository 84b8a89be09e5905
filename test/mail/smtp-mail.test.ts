import { createServer } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import type { Services } from '../../server/services/index.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { addIdmUser, clearIdm } from '../runs/recon-fixture.ts';
import {
  type Inbox,
  mailingConfig,
  mailServices,
  notificationRows,
  runAndWait,
  startSmtpServer,
  until,
} from './mail-fixture.ts';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

describeEachDatabase('completion and do-nothing mail over SMTP', (db) => {
  let inbox: Inbox | undefined;
  let services: Services | undefined;
  afterEach(async () => {
    await services?.mail.stop();
    await services?.policyRunner.close();
    await inbox?.close();
    inbox = undefined;
    services = undefined;
    await clearIdm(db());
  });

  it('sends the completion mail (subject, both bodies, report) and the do-nothing CSV', async () => {
    inbox = await startSmtpServer();
    services = mailServices(db(), { SMTP_URL: `smtp://127.0.0.1:${inbox.port}` });
    await addIdmUser(db(), 'E1', { name: 'Ann', email: 'ann@x' });
    const { configId } = await mailingConfig(db());
    const run = await runAndWait(services, configId);
    expect(run.status).toBe('succeeded');
    await until(() => Promise.resolve(inbox!.mails.length === 2), 'two mails');

    const completion = inbox.mails.find((m) => !m.subject?.includes('DO_NOTHING'))!;
    expect(completion.subject).toBe('[trueup] HR users: succeeded — 1 ADD_TO_IDM applied, 0 errors');
    const to = [completion.to].flat().flatMap((a) => a?.value.map((v) => v.address));
    expect(to.sort()).toEqual(['auditor@example.com', 'ops@example.com', 'owner@example.com']);
    expect(completion.text).toContain('HR users: run succeeded');
    expect(completion.text).toContain('Post-processor saw succeeded with 0 errors');
    expect(completion.text).toContain('IDM_NOT_EXISTS__RESOURCE_EXISTS: 1');
    expect(completion.text).toContain('Deletion threshold: passed');
    expect(completion.text).toContain(`https://trueup.example/runs/${run.id}`);
    expect(completion.html).toContain('Post-processor saw succeeded with 0 errors');
    expect(completion.html).toContain('ADD_TO_IDM');
    expect(completion.html).not.toMatch(/<script|<link|src=/i);
    expect(completion.attachments).toHaveLength(1);
    const report = completion.attachments[0]!;
    expect(report.filename).toBe(`run-${run.id}-report.html`);
    expect(report.contentType).toBe('text/html');
    expect(report.content.toString('utf8')).toContain('HR users: reconciliation report');

    const doNothing = inbox.mails.find((m) => m.subject?.includes('DO_NOTHING'))!;
    expect(doNothing.subject).toBe(`[trueup] HR users: 1 DO_NOTHING object in run ${run.id}`);
    expect(doNothing.text).toContain('1 objects needed nothing');
    const csv = doNothing.attachments[0]!.content.toString('utf8');
    expect(
      csv.startsWith('\uFEFFobject key,IDM id,situation,response,outcome,changed attributes,error\r\n'),
    ).toBe(true);
    expect(csv).toContain('E1,');
    expect(csv).not.toContain('E2,');

    // A mail is in the inbox a moment before its row says sent.
    await until(
      async () => (await notificationRows(db(), run.id)).every((r) => r.status === 'sent'),
      'both mails marked sent',
    );
    const rows = await notificationRows(db(), run.id);
    expect(rows.map((r) => [r.kind, r.status, r.attempts]).sort()).toEqual([
      ['completion', 'sent', 1],
      ['do_nothing', 'sent', 1],
    ]);
  });

  it('mails a failed run with its real status, and attaches the CSV report when the config asks', async () => {
    inbox = await startSmtpServer();
    services = mailServices(db(), { SMTP_URL: `smtp://127.0.0.1:${inbox.port}` });
    const { configId, file } = await mailingConfig(db(), { reportFormat: 'csv', sendDoNothingReport: false });
    const { rmSync } = await import('node:fs');
    rmSync(file);
    const run = await runAndWait(services, configId);
    expect(run.status).toBe('failed');
    await until(() => Promise.resolve(inbox!.mails.length === 1), 'the completion mail');
    const [mail] = inbox.mails;
    expect(mail!.subject).toMatch(/^\[trueup\] HR users: failed — 0 errors$/);
    expect(mail!.text).toContain('Post-processor saw failed with 0 errors');
    expect(mail!.text).toContain('Deletion threshold: not reached');
    expect(mail!.attachments[0]!.filename).toBe(`run-${run.id}-report.csv`);
  });

  it('keeps the run succeeded while SMTP is down, and sends the mail once it is back', async () => {
    const port = await freePort();
    services = mailServices(db(), { SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_RETRY_MS: '200' });
    const { configId } = await mailingConfig(db(), { sendDoNothingReport: false });
    const run = await runAndWait(services, configId);
    expect(run.status).toBe('succeeded');
    const [failed] = await until(async () => {
      const rows = await notificationRows(db(), run.id);
      return rows[0]?.error ? rows : null;
    }, 'a failed attempt');
    expect(failed).toMatchObject({ kind: 'completion', status: 'queued', attempts: 1 });
    expect(failed!.error).toMatch(/ECONNREFUSED|connect/);
    expect(failed!.nextAttemptAt).toBeInstanceOf(Date);

    inbox = await startSmtpServer(port);
    services.mail.start();
    const [sent] = await until(async () => {
      const rows = await notificationRows(db(), run.id);
      return rows[0]?.status === 'sent' ? rows : null;
    }, 'the retried mail');
    expect(sent!.attempts).toBeGreaterThanOrEqual(2);
    expect(sent!.error).toBeNull();
    expect(inbox.mails).toHaveLength(1);
    expect(inbox.mails[0]!.subject).toContain('HR users: succeeded');
    const [again] = await notificationRows(db(), run.id);
    expect(again!.status).toBe('sent');
  });
});
