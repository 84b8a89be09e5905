import { definePreProcessor } from 'trueup:policy';

/**
 * Payroll closes on the last two days of each month: full runs against HR are aborted then, and
 * incremental runs only read (the IDM query policy returns null when `readOnly` is set).
 */
export default definePreProcessor(({ mode, dryRun }) => {
  const today = new Date(Date.now());
  const lastDay = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + 1, 0)).getUTCDate();
  const inFreeze = today.getUTCDate() >= lastDay - 1;
  if (inFreeze && mode === 'full' && !dryRun)
    return { abort: 'payroll freeze: full HR runs resume on the 1st' };
  return { vars: { readOnly: inFreeze } };
});
