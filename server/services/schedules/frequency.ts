import { createTask, validateDetailed } from 'node-cron';

/** Named schedules a config may use instead of a cron expression. */
export const namedFrequencies = ['every5m', 'every15m', 'hourly', 'nightly'] as const;
export type NamedFrequency = (typeof namedFrequencies)[number];

/**
 * What each name means, as node-cron patterns read in the config's own time zone. `nightly` is
 * 02:00 local time: after the usual end-of-day HR exports, before people start work.
 */
const patterns: Record<NamedFrequency, string> = {
  every5m: '*/5 * * * *',
  every15m: '*/15 * * * *',
  hourly: '0 * * * *',
  nightly: '0 2 * * *',
};

const isNamed = (frequency: string): frequency is NamedFrequency =>
  (namedFrequencies as readonly string[]).includes(frequency);

/** The cron pattern node-cron schedules for a config's `frequency`. */
export function cronPatternOf(frequency: string): string {
  return isNamed(frequency) ? patterns[frequency] : frequency.trim();
}

/**
 * Why `frequency` cannot be scheduled, or null when it can: checked by node-cron's own parser
 * (5 fields, or 6 with seconds first), so what validates is exactly what the scheduler accepts.
 */
export function frequencyProblem(frequency: string): string | null {
  if (isNamed(frequency)) return null;
  if (frequency.trim() === '') return `${namedFrequencies.join(', ')} or a cron expression; got ""`;
  const result = validateDetailed(frequency.trim());
  if (result.valid) return null;
  const first = result.errors[0];
  const detail = first
    ? first.field === 'expression'
      ? `${first.message} ([second] minute hour day-of-month month day-of-week)`
      : `${first.field}: ${first.message.replace(/\ba invalid\b/, 'an invalid')}`
    : 'not a valid cron expression';
  return `${namedFrequencies.join(', ')} or a cron expression: ${detail}`;
}

/** The next tick of a valid `frequency` in `timezone`, as node-cron computes it (never started). */
export function nextTickOf(frequency: string, timezone: string): Date | null {
  const task = createTask(cronPatternOf(frequency), () => {}, { timezone });
  try {
    return task.getNextRuns(1)[0] ?? null;
  } finally {
    task.destroy();
  }
}
