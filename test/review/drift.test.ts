import { describe, expect, it } from 'vitest';
import { accountContentHash, findDrift, type PlannedSnapshot } from '../../server/core/drift.ts';

const ann = { key: 'E1', attributes: { name: 'Ann', email: 'ann@x' } };
const planned = (over: Partial<PlannedSnapshot>): PlannedSnapshot => ({
  seq: 0,
  objectKey: 'E1',
  accountHash: accountContentHash(ann),
  idmObjectId: 'u1',
  idmVersion: 3,
  ...over,
});

describe('findDrift', () => {
  it.each([
    ['unchanged', planned({}), [ann], { u1: 3 }, null],
    [
      'attributes in another order',
      planned({}),
      [{ key: 'E1', attributes: { email: 'ann@x', name: 'Ann' } }],
      { u1: 3 },
      null,
    ],
    [
      'key read in another case',
      planned({}),
      [{ key: 'e1', attributes: ann.attributes }],
      { u1: 3 },
      /changed on the system/,
    ],
    [
      'account edited',
      planned({}),
      [{ key: 'E1', attributes: { name: 'Ann B', email: 'ann@x' } }],
      { u1: 3 },
      /changed on the system/,
    ],
    ['account gone', planned({}), [], { u1: 3 }, /gone from the system/],
    ['account appeared', planned({ accountHash: null }), [ann], { u1: 3 }, /appeared on the system/],
    ['absent and still absent', planned({ accountHash: null }), [], { u1: 3 }, null],
    ['IDM object changed', planned({}), [ann], { u1: 4 }, /version 3 → 4/],
    ['IDM object gone', planned({}), [ann], {}, /IDM object u1 is gone/],
    ['no IDM object planned', planned({ idmObjectId: null, idmVersion: null }), [ann], {}, null],
    ['new IDM object (no version yet)', planned({ idmVersion: null }), [ann], {}, null],
  ] as const)('%s', (_, snapshot, accounts, versions, expected) => {
    const drift = findDrift([snapshot], {
      accounts: new Map(accounts.map((a) => [a.key, { key: a.key, attributes: { ...a.attributes } }])),
      idmVersions: new Map(Object.entries(versions)),
    });
    if (expected === null) expect(drift.size).toBe(0);
    else {
      expect(drift.get(0)?.code).toBe('changed_since_plan');
      expect(drift.get(0)?.message).toMatch(expected);
    }
  });
});
