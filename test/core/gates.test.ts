import { describe, expect, it } from 'vitest';
import { copyByName, idmPatchFrom, sameValue } from '../../server/core/attribute-sync.ts';
import { checkDeletionThreshold } from '../../server/core/gates.ts';
import { idmEntry } from './fixtures.ts';

describe('checkDeletionThreshold', () => {
  it.each([
    [10, 100, { count: 10 }, 'passed'],
    [11, 100, { count: 10 }, 'threshold_exceeded'],
    [0, 0, { count: 0 }, 'passed'],
    [1, 100, { count: 0 }, 'threshold_exceeded'],
    [10, 100, { percent: 10 }, 'passed'],
    [11, 100, { percent: 10 }, 'threshold_exceeded'],
    [1, 3, { percent: 33.34 }, 'passed'],
    [1, 3, { percent: 33.33 }, 'threshold_exceeded'],
    [5, 0, { percent: 1 }, 'passed'],
    [1000, 1000, {}, 'passed'],
    [5, 100, { count: 10, percent: 4 }, 'threshold_exceeded'],
  ])('%i of %i against %j → %s', (deletions, total, threshold, outcome) => {
    expect(checkDeletionThreshold(deletions, total, threshold).outcome).toBe(outcome);
  });

  it('names the limit it crossed', () => {
    expect(checkDeletionThreshold(11, 100, { count: 10 })).toEqual({
      outcome: 'threshold_exceeded',
      limit: { kind: 'count', value: 10 },
      deletions: 11,
      total: 100,
    });
  });
});

describe('attribute confidence', () => {
  const held = { ...idmEntry('u', { title: 'CTO' }), sources: { title: { systemId: 'hr', confidence: 90 } } };
  it.each([
    ['a lower-confidence system does not overwrite', 'app', 40, false],
    ['an equal-confidence system may', 'app', 90, true],
    ['a higher-confidence system may', 'app', 95, true],
    ['the system that set it may always', 'hr', 10, true],
  ])('%s', (_, systemId, confidence, overwrites) => {
    const result = idmPatchFrom({ title: 'Intern' }, held, systemId, {
      title: { direction: 'both', confidence },
    });
    expect('title' in result.patch).toBe(overwrites);
    expect(result.heldBack).toEqual(overwrites ? [] : ['title']);
  });

  it.each([
    [42, '42', true],
    [null, '', true],
    [undefined, null, true],
    [['b', 'a'], ['a', 'b'], true],
    [['a@x'], 'a@x', true],
    [[], null, true],
    [[], '', true],
    [['a', 'b'], 'a', false],
    [['a,b'], ['a', 'b'], false],
    ['A', 'a', false],
  ])('sameValue(%j, %j) = %s', (a, b, expected) => {
    expect(sameValue(a, b)).toBe(expected);
  });
});

describe('copyByName (the default population)', () => {
  const account = { key: 'E7', attributes: { employeeNumber: 'E7', name: 'Ada' } };

  it('carries the recon key over to its IDM attribute', () => {
    expect(copyByName(account, 'employeeId', 'employeeNumber')).toEqual({
      employeeNumber: 'E7',
      name: 'Ada',
      employeeId: 'E7',
    });
  });

  it('leaves a value the account already has under that name, and copies nothing without a recon key', () => {
    const own = { key: 'E7', attributes: { employeeNumber: 'E7', employeeId: 'X-7' } };
    expect(copyByName(own, 'employeeId', 'employeeNumber').employeeId).toBe('X-7');
    expect(copyByName(account, null, null)).toEqual(account.attributes);
    expect(
      copyByName({ key: 'k', attributes: { employeeNumber: null } }, 'employeeId', 'employeeNumber'),
    ).toEqual({
      employeeNumber: null,
    });
  });
});
