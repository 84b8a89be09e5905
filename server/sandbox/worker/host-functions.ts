import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  ldapEscapeDn as escapeDnValue,
  ldapEscape as escapeFilterValue,
} from '../../connectors/ldap/ldap-escape.ts';
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

/** RFC 4515 filter escaping, the connectors' own (`server/connectors/ldap/ldap-escape.ts`). */
export function ldapEscape(value: unknown): string {
  return escapeFilterValue(checked(text('ldapEscape'), value));
}

/** RFC 4514 DN value escaping, the connectors' own. */
export function ldapEscapeDn(value: unknown): string {
  return escapeDnValue(checked(text('ldapEscapeDn'), value));
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
