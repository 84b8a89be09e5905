import { describe, expect, it } from 'vitest';
import { createOutcomeComparison, type DecidedOutcome } from '../../server/core/outcome-diff.ts';

const decided = (over: Partial<DecidedOutcome>): DecidedOutcome => ({
  objectKey: 'E1',
  idmObjectId: 'u1',
  idmVersion: 1,
  situation: 'IDM_EXISTS__RESOURCE_EXISTS',
  response: 'DO_NOTHING',
  diff: null,
  error: null,
  ...over,
});

const compare = (before: DecidedOutcome[], after: DecidedOutcome[], attributes = true, limit = 10) => {
  const comparison = createOutcomeComparison({ attributes, limit });
  for (const o of before) comparison.before(o);
  for (const o of after) comparison.after(o);
  return comparison.finish();
};

describe('outcome diffs', () => {
  const name = (after: string) => ({ name: { before: 'Ada', after } });
  it.each([
    ['the same decision', decided({}), decided({}), null],
    [
      'equal attribute changes in another key order',
      decided({ diff: { a: { before: 1, after: 2 }, b: { before: 1, after: 3 } } }),
      decided({ diff: { b: { before: 1, after: 3 }, a: { before: 1, after: 2 } } }),
      null,
    ],
    [
      'another situation and response',
      decided({}),
      decided({ situation: 'DISPUTED', response: 'DO_NOTHING', idmObjectId: null, idmVersion: null }),
      ['situation'],
    ],
    [
      'another response',
      decided({}),
      decided({ response: 'UPDATE_IDM_FROM_RESOURCE', diff: name('ADA') }),
      ['response', 'attributes'],
    ],
    [
      'other attribute changes',
      decided({ diff: name('Ada L') }),
      decided({ diff: name('ADA') }),
      ['attributes'],
    ],
    ['a decision that now fails', decided({}), decided({ error: 'policy_error' }), ['error']],
  ] as const)('%s', (_, before, after, changes) => {
    const diff = compare([before], [after]);
    expect(diff.changed.map((c) => c.changes)).toEqual(changes ? [changes] : []);
    expect(diff.counts.changed).toBe(changes ? 1 : 0);
  });

  it('counts new and gone objects, an IDM-side object by its id', () => {
    const diff = compare(
      [
        decided({ objectKey: 'E1' }),
        decided({ objectKey: null, idmObjectId: 'u9', situation: 'IDM_EXISTS__RESOURCE_NOT_EXISTS' }),
      ],
      [decided({ objectKey: 'E1' }), decided({ objectKey: 'E2', idmObjectId: null })],
    );
    expect(diff.changed.map((c) => [c.objectKey, c.changes])).toEqual([
      ['E2', ['new']],
      ['idm:u9', ['gone']],
    ]);
    expect(diff.counts).toMatchObject({ before: 2, after: 2, changed: 2, new: 1, gone: 1 });
  });

  it('flags an IDM object written in between, and leaves attribute changes out between two runs', () => {
    const diff = compare(
      [decided({ diff: name('A') })],
      [decided({ idmVersion: 2, response: 'UPDATE_IDM_FROM_RESOURCE', diff: name('B') })],
      false,
    );
    expect(diff.changed).toMatchObject([{ changes: ['response'], idmChangedSince: true }]);
    expect(diff.counts.idmChangedSince).toBe(1);
  });

  it('lists at most `limit` objects and counts them all', () => {
    const keys = ['E1', 'E2', 'E3'];
    const diff = compare(
      keys.map((k) => decided({ objectKey: k })),
      keys.map((k) => decided({ objectKey: k, response: 'DELETE_FROM_IDM' })),
      true,
      2,
    );
    expect([diff.counts.changed, diff.counts.response, diff.changed.length, diff.truncated]).toEqual([
      3,
      3,
      2,
      true,
    ]);
  });

  it('refuses a before after the first after', () => {
    const comparison = createOutcomeComparison({ attributes: true, limit: 1 });
    comparison.after(decided({}));
    expect(() => comparison.before(decided({}))).toThrow(/before the first after/);
  });
});
