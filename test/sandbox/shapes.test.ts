import { describe, expect, it } from 'vitest';
import { fastCheck, outputShape } from '../../server/sandbox/shapes.ts';

/** The fast predicates must give zod's verdict on every JSON value the sandbox can hand back. */
const patches: unknown[] = [
  {},
  { a: 'x', b: 1, c: true, d: null, e: ['x', 'y'], f: [] },
  { a: 1.5, b: -0 },
  { a: { nested: 1 } },
  { a: [1] },
  { a: ['x', null] },
  { '': 'empty key' },
  { ['k'.repeat(200)]: 'longest key' },
  { ['k'.repeat(201)]: 'too long' },
  JSON.parse('{"__proto__": "x"}'),
  [],
  ['a'],
  'text',
  null,
  42,
];
const keyLists: unknown[] = [
  [],
  ['emp:1', 'mail:a@b'],
  Array.from({ length: 100 }, (_, i) => `k${i}`),
  Array.from({ length: 101 }, (_, i) => `k${i}`),
  ['x'.repeat(1000)],
  ['x'.repeat(1001)],
  [1],
  [null],
  {},
  'emp:1',
];

describe('fast output checks agree with the zod shapes', () => {
  const cases = [
    ['population', 'default', patches],
    ['outboundMapping', 'default', patches],
    ['matchingRule', 'accountKeys', keyLists],
    ['matchingRule', 'idmKeys', keyLists],
  ] as const;
  it.each(cases)('%s.%s', (kind, fn, values) => {
    const fast = fastCheck(kind, fn)!;
    const shape = outputShape(kind, fn)!;
    for (const value of values) {
      expect({ value, fast: fast(value) }).toEqual({ value, fast: shape.safeParse(value).success });
    }
  });
});
