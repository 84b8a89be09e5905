import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { WorkerLog } from './protocol.ts';

/**
 * The only host code a policy can reach: synchronous, schema-checked, pure. Log lines are not a
 * callback: they cross once per call with the results, and parseLogs checks them.
 * A bad argument throws inside the policy with a message naming the function.
 */
const text = (fn: string) =>
  z.string({ error: `${fn} expects a string` }).max(1_000_000, `${fn} accepts at most 1,000,000 characters`);

function checked<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new TypeError(result.error.issues[0]!.message);
  return result.data;
}

/** RFC 4515: `*`, `(`, `)`, `\` and NUL become `\2a`, `\28`, `\29`, `\5c`, `\00`. */
export function ldapEscape(value: unknown): string {
  return checked(text('ldapEscape'), value).replace(
    /[*()\\\0]/g,
    (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

/** RFC 4514: escapes `"+,;<>\` and `=`, a leading `#` or space, and a trailing space. */
export function ldapEscapeDn(value: unknown): string {
  return checked(text('ldapEscapeDn'), value)
    .replace(/[\\"+,;<>=\0]/g, (c) => (c === '\0' ? '\\00' : `\\${c}`))
    .replace(/^[ #]/, (c) => `\\${c}`)
    .replace(/ $/, '\\ ');
}

export function sha256(value: unknown): string {
  return createHash('sha256')
    .update(checked(text('sha256'), value), 'utf8')
    .digest('hex');
}

const logLimit = 100;
const takenLogs = z.object({
  lines: z
    .array(
      z.object({
        level: z.enum(['debug', 'info', 'warn', 'error']),
        message: z.string().max(2000),
        index: z.number().int().min(0).optional(),
        stack: z.string().max(4000).optional(),
      }),
    )
    .max(logLimit),
  dropped: z.number().int().min(0),
});

/**
 * The log lines of one call, as the prelude's `takeLogs` hands them over (it keeps the first
 * 100, each cut at 2,000 characters, and counts the rest), checked here like any host argument.
 */
export function parseLogs(taken: string): WorkerLog[] {
  const { lines, dropped } = checked(takenLogs, JSON.parse(taken));
  const logs: WorkerLog[] = lines;
  if (dropped > 0) {
    logs.push({
      level: 'warn',
      message: `${dropped} more log line(s) dropped: at most ${logLimit} per call`,
    });
  }
  return logs;
}
