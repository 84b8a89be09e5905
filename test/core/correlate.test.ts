import { describe, expect, it } from 'vitest';
import { classifySituation } from '../../server/core/classify-situation.ts';
import {
  type Correlation,
  disputeSharedClaims,
  missingAccountPair,
  pickByScore,
} from '../../server/core/correlate.ts';
import { keysOfValue, normalizeKey } from '../../server/core/normalize-key.ts';
import { account, idmEntry, link } from './fixtures.ts';

describe('normalizeKey', () => {
  it.each([
    ['  E100 ', 'e100'],
    ['Ünïcödé', 'ünïcödé'],
    ['U\u0308ber', 'über'], // decomposed Ü becomes the composed form
    ['STRASSE', 'strasse'],
    ['straße', 'strasse'], // case folding, not just lower-casing
    ['\tMiXeD Case\n', 'mixed case'],
  ])('%j → %j', (input, expected) => {
    expect(normalizeKey(input)).toBe(expected);
  });

  it('gives no key for empty, blank or missing values, and one per distinct list item', () => {
    expect(keysOfValue('   ')).toEqual([]);
    expect(keysOfValue(null)).toEqual([]);
    expect(keysOfValue(undefined)).toEqual([]);
    expect(keysOfValue(['A', 'a ', 'b'])).toEqual(['a', 'b']);
    expect(keysOfValue(42)).toEqual(['42']);
  });
});

// How accounts find their objects (links, keys, claims) is joined in the database: the cases are
// test/runs/correlation-cases.test.ts, on both databases.
describe('correlation and situations', () => {
  const alice = idmEntry('u-alice', { employeeId: 'E1' });
  const bob = idmEntry('u-bob', { employeeId: 'E2' });
  const twinA = idmEntry('u-twin-a', { employeeId: 'E3' });
  const twinB = idmEntry('u-twin-b', { employeeId: ' e3' });

  it('turns two accounts claiming one IDM object into two disputes; a link is not a claim', () => {
    const byKey = (key: string): Correlation => ({
      account: account(key),
      idm: alice,
      candidates: [alice],
      link: null,
      via: 'reconKey',
    });
    const linked: Correlation = {
      account: account('L'),
      idm: alice,
      candidates: [alice],
      link: link('L', alice),
      via: 'link',
    };
    const shared = new Set(['u-alice']);
    expect(
      [byKey('A'), byKey('B'), linked].map((p) => classifySituation(disputeSharedClaims(p, shared))),
    ).toEqual(['DISPUTED', 'DISPUTED', 'IDM_EXISTS__RESOURCE_EXISTS']);
  });

  it('pairs an IDM object no account pointed at with its active link, if any', () => {
    const row = { accountKey: 'L-LINKED', idmObjectId: 'u-bob', status: 'active' as const, staleSince: null };
    expect(classifySituation(missingAccountPair(bob, row))).toBe('IDM_EXISTS__RESOURCE_NOT_EXISTS');
    expect(missingAccountPair(bob, row).link?.idm).toBe(bob);
    expect(missingAccountPair(bob, null)).toMatchObject({ account: null, idm: bob, link: null, via: null });
  });

  it.each([
    [[90, 10], 'u-twin-a'],
    [[10, 90], 'u-twin-b'],
    [[50, 50], null],
    [[0, 0], null],
    [[], null],
  ])('scores %j pick %s', (scores, expected) => {
    expect(pickByScore([twinA, twinB], scores)?.object.id ?? null).toBe(expected);
  });
});
