import { describe, expect, it } from 'vitest';
import {
  cronPatternOf,
  frequencyProblem,
  namedFrequencies,
} from '../../server/services/schedules/frequency.ts';

describe('frequencyProblem (node-cron parser)', () => {
  it.each([
    ...namedFrequencies,
    '* * * * *',
    '*/5 * * * *',
    '*/5 * * * * *',
    '0 2 * * *',
    '0 2 * * 1-5',
    '15,45 8-18/2 1 JAN-MAR mon',
    '0 0 31 12 7',
    '  0   3 * * SUN  ',
  ])('accepts %s', (frequency) => {
    expect(frequencyProblem(frequency)).toBeNull();
  });

  it.each([
    ['', /cron expression/],
    ['weekly', /5 or 6 fields/],
    ['* * * *', /5 or 6 fields/],
    ['0 0 0 * * * *', /5 or 6 fields/],
    ['60 * * * *', /minute/],
    ['* 24 * * *', /hour/],
    ['* * 0 * *', /day/],
    ['* * * 13 *', /month/],
    ['* * * * 8', /week day/],
    ['*/0 * * * *', /minute/],
    ['a * * * *', /minute/],
    ['1,,2 * * * *', /minute/],
    ['*/5/5 * * * *', /minute/],
    ['0 0 * * *; drop table runs', /illegal characters/],
  ])('rejects %j', (frequency, message) => {
    const problem = frequencyProblem(frequency);
    expect(problem).toMatch(message);
    expect(problem).toMatch(/^every5m, every15m, hourly, nightly or a cron expression/);
  });

  it('maps the named frequencies to cron patterns (nightly is 02:00 local time)', () => {
    expect(cronPatternOf('every5m')).toBe('*/5 * * * *');
    expect(cronPatternOf('every15m')).toBe('*/15 * * * *');
    expect(cronPatternOf('hourly')).toBe('0 * * * *');
    expect(cronPatternOf('nightly')).toBe('0 2 * * *');
    expect(cronPatternOf(' */5 * * * * * ')).toBe('*/5 * * * * *');
  });
});
