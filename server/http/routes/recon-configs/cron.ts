/** Named schedules a config may use instead of a cron expression. */
export const namedFrequencies = ['every5m', 'every15m', 'hourly', 'nightly'] as const;

const months = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const weekdays = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const fields: Array<{ name: string; min: number; max: number; names?: string[]; namesFrom?: number }> = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: months, namesFrom: 1 },
  { name: 'day of week', min: 0, max: 7, names: weekdays, namesFrom: 0 },
];

function value(text: string, field: (typeof fields)[number]): number | null {
  const named = field.names?.indexOf(text.toUpperCase()) ?? -1;
  if (named >= 0) return named + (field.namesFrom ?? 0);
  if (!/^\d{1,2}$/.test(text)) return null;
  const n = Number(text);
  return n >= field.min && n <= field.max ? n : null;
}

function checkPart(part: string, field: (typeof fields)[number]): string | null {
  const [range, step, extra] = part.split('/');
  if (extra !== undefined || range === undefined || range === '')
    return `"${part}" is not a valid ${field.name}`;
  if (step !== undefined && !/^[1-9]\d{0,1}$/.test(step))
    return `"${step}" is not a valid step in ${field.name}`;
  if (range === '*') return null;
  const [from, to, more] = range.split('-');
  if (more !== undefined) return `"${range}" is not a valid ${field.name} range`;
  const a = value(from ?? '', field);
  if (a === null) return `"${from}" is not a valid ${field.name} (${field.min}–${field.max})`;
  if (to === undefined) return null;
  const b = value(to, field);
  if (b === null) return `"${to}" is not a valid ${field.name} (${field.min}–${field.max})`;
  return a <= b ? null : `the ${field.name} range "${range}" runs backwards`;
}

/** Why a 5-field cron expression is invalid, or null when it is valid. */
export function cronProblem(expression: string): string | null {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5) {
    return `a cron expression has 5 fields (minute hour day-of-month month day-of-week); got ${parts.length}`;
  }
  for (const [i, part] of parts.entries()) {
    for (const item of part!.split(',')) {
      const problem = checkPart(item, fields[i]!);
      if (problem) return problem;
    }
  }
  return null;
}
