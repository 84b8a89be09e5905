import { describe, expect, it } from 'vitest';
import { safeCell } from './csv-report.ts';
import { diffLines, errorText, policyLocation, showValue } from './event-cells.ts';

describe('how events read in reports', () => {
  it.each([
    [null, '(empty)'],
    [undefined, '(empty)'],
    ['', '(empty)'],
    ['Ann', 'Ann'],
    [0, '0'],
    [false, 'false'],
    [['a', 'b'], '[a, b]'],
    [{ x: 1 }, '{"x":1}'],
    ['Zoë 李', 'Zoë 李'],
  ])('shows %j as %j', (value, text) => {
    expect(showValue(value)).toBe(text);
  });

  it('writes each changed attribute as name: before → after', () => {
    expect(diffLines(null)).toEqual([]);
    expect(diffLines({})).toEqual([]);
    expect(
      diffLines({ mail: { before: 'a@x', after: 'b@x' }, title: { before: null, after: 'Eng' } }),
    ).toEqual(['mail: a@x → b@x', 'title: (empty) → Eng']);
  });

  it.each([
    [{ policy: 'hr/pop.ts', line: 12, column: 5 }, 'hr/pop.ts:12:5'],
    [{ policy: 'hr/pop.ts', line: 12 }, 'hr/pop.ts:12'],
    [{ policy: 'hr/pop.ts', line: 12, column: 0 }, 'hr/pop.ts:12'],
    [{ path: 'p.ts', line: 3 }, 'p.ts:3'],
    [{ policy: 'hr/pop.ts' }, 'hr/pop.ts'],
    [{ line: 3 }, null],
    [null, null],
    ['p.ts', null],
  ])('locates the policy of %j as %j', (info, where) => {
    expect(policyLocation(info)).toBe(where);
  });

  it('adds the policy line to an error once', () => {
    expect(errorText(null)).toBe('');
    expect(errorText({ code: 'x', message: 'boom', policy: { policy: 'p.ts', line: 3 } })).toBe(
      'boom (p.ts:3)',
    );
    expect(
      errorText({ code: 'x', message: 'p.ts:3:1: boom', policy: { policy: 'p.ts', line: 3, column: 1 } }),
    ).toBe('p.ts:3:1: boom');
  });

  it.each([
    ['=1+1', "'=1+1"],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@A1', "'@A1"],
    ['\tx', "'\tx"],
    ['\rx', "'\rx"],
    ['a=1', 'a=1'],
    ['', ''],
  ])('neutralises the cell %j', (cell, safe) => {
    expect(safeCell(cell)).toBe(safe);
  });
});
