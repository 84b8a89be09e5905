import { createTask } from 'node-cron';
import { namedFrequencies } from '../../routes/recon-configs/cron.ts';

/** What the named frequencies mean (nightly is 02:00 in the config's time zone). */
const patterns: Record<(typeof namedFrequencies)[number], string> = {
  every5m: '*/5 * * * *',
  every15m: '*/15 * * * *',
  hourly: '0 * * * *',
  nightly: '0 2 * * *',
};

export { namedFrequencies };

/** The next `count` times a config's schedule fires, computed by node-cron itself; [] for manual. */
export function nextRunTimes(frequency: string | null, timezone: string, count = 3): Date[] {
  if (!frequency) return [];
  const pattern = patterns[frequency as keyof typeof patterns] ?? frequency;
  try {
    const task = createTask(pattern, () => {}, { timezone });
    try {
      return task.getNextRuns(count);
    } finally {
      void task.destroy();
    }
  } catch {
    return [];
  }
}
