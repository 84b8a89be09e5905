import { and, asc, eq, isNull, lte, or, sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { type NotificationKind, type RunNotificationRow, runNotifications } from '../db/schema/index.ts';
import type { Mailer } from '../mail/mailer.ts';
import { completionMail, doNothingMail } from '../mail/run-mail.ts';
import { doNothingCsv, renderRunReport } from '../reports/render-report.ts';
import { loadRunReport } from '../reports/run-report.ts';
import type { RunFinished } from './runs/types.ts';

export type MailServiceOptions = {
  db: Database;
  mailer: Mailer;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  /** Base of the links in the mail (PUBLIC_URL, or the server's own address). */
  baseUrl: string;
  /** First retry delay; it doubles per attempt, up to an hour. */
  retryMs: number;
  /** After this many failed attempts a mail is `failed` for good. */
  maxAttempts?: number;
};

/** What `GET /api/runs/:id` shows of a run's mail (docs/api.md). */
export type NotificationView = {
  kind: NotificationKind;
  to: string[];
  status: RunNotificationRow['status'];
  attempts: number;
  error?: string;
  nextAttemptAt?: string;
  sentAt?: string;
};

/** How long one server may hold a mail it is sending before another may try it. */
const claimMs = 120_000;
const maxDelayMs = 3_600_000;

/** `notificationEmail` may be one address or a list (comma, semicolon or space separated). */
export function recipientsOf(notificationEmail: string | null, extra: string[] = []): string[] {
  const all = [...(notificationEmail ?? '').split(/[\s,;]+/), ...extra].map((a) => a.trim()).filter(Boolean);
  return [...new Set(all)];
}

export async function notificationsOf(db: Database, runId: string): Promise<NotificationView[]> {
  const rows = await db.orm
    .select()
    .from(runNotifications)
    .where(eq(runNotifications.runId, runId))
    .orderBy(asc(runNotifications.kind));
  return rows.map((row) => ({
    kind: row.kind,
    to: row.to,
    status: row.status,
    attempts: row.attempts,
    ...(row.error ? { error: row.error } : {}),
    ...(row.status === 'queued' && row.nextAttemptAt
      ? { nextAttemptAt: row.nextAttemptAt.toISOString() }
      : {}),
    ...(row.sentAt ? { sentAt: row.sentAt.toISOString() } : {}),
  }));
}

export type MailService = ReturnType<typeof createMailService>;

/**
 * "Send the completion mail": each ended run gets its mail rows first, then delivery is tried;
 * a failure is recorded on the row and retried with backoff, by this server or any other, and
 * never touches the run itself.
 */
export function createMailService(options: MailServiceOptions) {
  const { db, mailer, log } = options;
  const maxAttempts = options.maxAttempts ?? 10;
  let timer: NodeJS.Timeout | undefined;
  let delivering: Promise<void> | null = null;
  const sending = new Set<Promise<void>>();

  async function queue(runId: string, notify: RunFinished['outcome']['notify']): Promise<number> {
    const report = await loadRunReport(db, runId, options.baseUrl);
    if (!report || report.run.status === 'skipped') return 0;
    const to = recipientsOf(report.config.notificationEmail, notify?.to);
    if (to.length === 0) return 0;
    const kinds: NotificationKind[] = report.config.sendDoNothingReport
      ? ['completion', 'do_nothing']
      : ['completion'];
    const rows = kinds.map((kind) => ({
      runId,
      kind,
      to,
      message: kind === 'completion' ? (notify?.message ?? null) : null,
    }));
    await db.orm.insert(runNotifications).values(rows).onConflictDoNothing();
    return rows.length;
  }

  async function send(row: RunNotificationRow) {
    const report = await loadRunReport(db, row.runId, options.baseUrl);
    if (!report) throw new Error(`run ${row.runId} no longer exists`);
    if (row.kind === 'do_nothing')
      return mailer.send(doNothingMail(report, doNothingCsv(db, row.runId), row.to));
    const attachment = await renderRunReport(db, row.runId, options.baseUrl);
    if (!attachment) throw new Error(`run ${row.runId} no longer exists`);
    return mailer.send(completionMail(report, attachment, row.to, row.message));
  }

  /** Takes one due mail for this server (compare-and-set), so no two servers send it. */
  async function claim(id: string): Promise<RunNotificationRow | null> {
    const [row] = await db.orm
      .update(runNotifications)
      .set({
        attempts: sql`${runNotifications.attempts} + 1`,
        claimedUntil: new Date(Date.now() + claimMs),
        updatedAt: new Date(),
      })
      .where(
        and(
          eq(runNotifications.id, id),
          eq(runNotifications.status, 'queued'),
          or(isNull(runNotifications.claimedUntil), lte(runNotifications.claimedUntil, new Date())),
        ),
      )
      .returning();
    return row ?? null;
  }

  async function attempt(row: RunNotificationRow) {
    try {
      await send(row);
      await db.orm
        .update(runNotifications)
        .set({
          status: 'sent',
          sentAt: new Date(),
          error: null,
          nextAttemptAt: null,
          claimedUntil: null,
          updatedAt: new Date(),
        })
        .where(eq(runNotifications.id, row.id));
      log.info(
        { runId: row.runId, kind: row.kind, via: mailer.kind },
        `sent the ${row.kind} mail of run ${row.runId}`,
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const giveUp = row.attempts >= maxAttempts;
      const delay = Math.min(maxDelayMs, options.retryMs * 2 ** (row.attempts - 1));
      await db.orm
        .update(runNotifications)
        .set({
          status: giveUp ? 'failed' : 'queued',
          error: message,
          nextAttemptAt: giveUp ? null : new Date(Date.now() + delay),
          claimedUntil: null,
          updatedAt: new Date(),
        })
        .where(eq(runNotifications.id, row.id));
      log.warn(
        { runId: row.runId, kind: row.kind, attempts: row.attempts, error: message },
        giveUp
          ? `gave up on the ${row.kind} mail of run ${row.runId}`
          : `the ${row.kind} mail of run ${row.runId} will be retried`,
      );
    }
  }

  /** Tries every mail that is due (all of a run's, when `runId` is given). */
  async function deliverDue(runId?: string) {
    const now = new Date();
    const due = await db.orm
      .select({ id: runNotifications.id })
      .from(runNotifications)
      .where(
        and(
          eq(runNotifications.status, 'queued'),
          runId
            ? eq(runNotifications.runId, runId)
            : or(isNull(runNotifications.nextAttemptAt), lte(runNotifications.nextAttemptAt, now)),
        ),
      )
      .orderBy(asc(runNotifications.createdAt))
      .limit(50);
    for (const { id } of due) {
      const row = await claim(id);
      if (row) await attempt(row);
    }
  }

  function deliverInBackground() {
    delivering ??= deliverDue()
      .catch((error) => log.warn({ error: String(error) }, 'mail delivery failed'))
      .finally(() => {
        delivering = null;
      });
    return delivering;
  }

  return {
    /**
     * The `onRunFinished` listener: the run's mail is queued before the run counts as finished,
     * and sent in the background (a slow or dead SMTP server never holds up the run).
     */
    async runFinished(finished: RunFinished) {
      if ((await queue(finished.runId, finished.outcome.notify)) === 0) return;
      const sent: Promise<void> = deliverDue(finished.runId)
        .catch((error) => log.warn({ runId: finished.runId, error: String(error) }, 'mail delivery failed'))
        .finally(() => sending.delete(sent));
      sending.add(sent);
    },
    deliverDue: () => deliverInBackground(),
    /** `notifications` of `GET /api/runs/:id`. */
    notificationsOf: (runId: string) => notificationsOf(db, runId),
    /** Retries what is due, also mail a previous process left queued. */
    start() {
      const every = Math.max(50, Math.min(options.retryMs, 10_000));
      timer = setInterval(deliverInBackground, every);
      timer.unref();
      void deliverInBackground();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await Promise.all([delivering, ...sending]);
      mailer.close();
    },
  };
}
