import { describe, expect, it } from 'vitest';
import { cronProblem } from './cron.ts';

describe('cronProblem', () => {
  it.each([
    '* * * * *',
    '*/5 * * * *',
    '0 2 * * *',
    '0 2 * * 1-5',
    '15,45 8-18/2 1 JAN-MAR mon',
    '0 0 31 12 7',
    '  0   3 * * SUN  ',
  ])('accepts %s', (expression) => {
    expect(cronProblem(expression)).toBeNull();
  });

  it.each([
    ['', /5 fields/],
    ['* * * *', /5 fields/],
    ['0 0 * * * *', /5 fields/],
    ['60 * * * *', /minute/],
    ['* 24 * * *', /hour/],
    ['* * 0 * *', /day of month/],
    ['* * * 13 *', /month/],
    ['* * * * 8', /day of week/],
    ['*/0 * * * *', /step/],
    ['5-1 * * * *', /backwards/],
    ['a * * * *', /minute/],
    ['1,,2 * * * *', /minute/],
    ['1-2-3 * * * *', /range/],
    ['*/5/5 * * * *', /minute/],
    ['0 0 * * *; drop table runs', /5 fields/],
  ])('rejects %s', (expression, message) => {
    expect(cronProblem(expression)).toMatch(message);
  });
});
