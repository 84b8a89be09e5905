import { createTask } from 'node-cron';
import { cronPatternOf } from '../../../services/schedules/frequency.ts';

/**
 * The next `count` times a config's schedule fires, computed by node-cron from the scheduler's
 * own pattern for the frequency (so the editor shows exactly what the scheduler will do); [] for
 * a manual-only or unreadable frequency.
 */
export function nextRunTimes(frequency: string | null, timezone: string, count = 3): Date[] {
  if (!frequency) return [];
  try {
    const task = createTask(cronPatternOf(frequency), () => {}, { timezone });
    try {
      return task.getNextRuns(count);
    } finally {
      void task.destroy();
    }
  } catch {
    return [];
  }
}
