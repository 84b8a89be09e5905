import { describe, expect, it } from 'vitest';
import { classifySituation } from '../../server/core/classify-situation.ts';
import {
  buildCorrelationIndex,
  correlateAccount,
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

describe('correlation and situations', () => {
  const alice = idmEntry('u-alice', { employeeId: 'E1' });
  const bob = idmEntry('u-bob', { employeeId: 'E2' });
  const twinA = idmEntry('u-twin-a', { employeeId: 'E3' });
  const twinB = idmEntry('u-twin-b', { employeeId: ' e3' });
  const deleted = idmEntry('u-deleted', { employeeId: 'E4' }, 'deleted');
  const scope = [alice, bob, twinA, twinB];
  const keysOf = (entries: typeof scope) => entries.map((e) => keysOfValue(e.object.attributes.employeeId));
  const links = [link('L-LINKED', bob), link('L-DELETED', deleted), link('L-GONE', null)];
  const index = buildCorrelationIndex(scope, keysOf(scope), links);

  it.each([
    ['a link wins over the recon key', 'L-LINKED', 'E1', 'IDM_EXISTS__RESOURCE_EXISTS', 'u-bob'],
    ['the recon key matches exactly', 'X1', 'E1', 'IDM_EXISTS__RESOURCE_EXISTS', 'u-alice'],
    ['case and whitespace do not matter', 'X2', '  e1 ', 'IDM_EXISTS__RESOURCE_EXISTS', 'u-alice'],
    ['no candidate is an orphan', 'X3', 'E99', 'IDM_NOT_EXISTS__RESOURCE_EXISTS', null],
    ['an empty key matches nothing', 'X4', '', 'IDM_NOT_EXISTS__RESOURCE_EXISTS', null],
    ['two candidates are disputed', 'X5', 'E3', 'DISPUTED', null],
    ['a link to a deleted object', 'L-DELETED', 'E4', 'IDM_DELETED__RESOURCE_EXISTS', 'u-deleted'],
    ['a link whose object row is gone', 'L-GONE', 'E5', 'IDM_DELETED__RESOURCE_EXISTS', null],
    ['links are found by normalised key', ' l-linked', 'E1', 'IDM_EXISTS__RESOURCE_EXISTS', 'u-bob'],
  ])('%s', (_, key, employeeId, situation, idmId) => {
    const pair = correlateAccount(account(key, { employeeId }), keysOfValue(employeeId), index, 'reconKey');
    expect(classifySituation(pair)).toBe(situation);
    expect(pair.idm?.object.id ?? null).toBe(idmId);
  });

  it('does not match deleted IDM objects by key', () => {
    const idx = buildCorrelationIndex([], [], []);
    expect(classifySituation(correlateAccount(account('E4'), ['e4'], idx, 'reconKey'))).toBe(
      'IDM_NOT_EXISTS__RESOURCE_EXISTS',
    );
  });

  it('turns two accounts claiming one IDM object into two disputes', () => {
    const pairs = [
      correlateAccount(account('A', { employeeId: 'E1' }), ['e1'], index, 'reconKey'),
      correlateAccount(account('B', { employeeId: 'e1' }), ['e1'], index, 'reconKey'),
      correlateAccount(account('L-LINKED'), [], index, 'reconKey'),
    ];
    const shared = new Set(['u-alice']);
    expect(pairs.map((p) => classifySituation(disputeSharedClaims(p, shared)))).toEqual([
      'DISPUTED',
      'DISPUTED',
      'IDM_EXISTS__RESOURCE_EXISTS',
    ]);
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
