import fc from 'fast-check';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { ErrorBody } from '../../server/http/errors.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.ts';
import { seedRuns } from './run-fixtures.ts';

/**
 * Requests generated from /openapi.json: every documented operation gets broken JSON, wrong
 * types, unknown fields, huge and deeply nested bodies, odd path parameters and query strings.
 * Every answer must be a documented success or a 4xx in the one error shape; never a 5xx.
 * FUZZ_REQUESTS sets how many (default 10,000); the figures are printed at the end.
 */
const total = Number(process.env.FUZZ_REQUESTS ?? 10_000);

type Operation = {
  method: string;
  path: string;
  params: string[];
  query: string[];
  hasBody: boolean;
  success: Set<number>;
  role: string;
};

let db: TestDatabase;
let api: TestApi;
let operations: Operation[];
let knownIds: string[];

beforeAll(async () => {
  // PostgreSQL is the stricter of the two (it refuses NUL characters and bad casts), so fuzz it.
  db = await createTestDatabase(inject('postgres') ? 'postgres' : 'pglite');
  api = await createTestApi(db);
  const seeded = await seedRuns(db);
  const systems = (await (await api.request('GET', '/api/systems')).json()) as {
    items: Array<{ id: string }>;
  };
  knownIds = [seeded.configId, seeded.eventRunId, ...seeded.runIds.slice(0, 2), systems.items[0]!.id, '1'];
  const doc = (await (await api.request('GET', '/openapi.json', { role: null })).json()) as {
    paths: Record<string, Record<string, Record<string, unknown>>>;
  };
  operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => {
      const parameters = (op.parameters ?? []) as Array<{ name: string; in: string }>;
      return {
        method: method.toUpperCase(),
        path,
        params: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        query: parameters.filter((p) => p.in === 'query').map((p) => p.name),
        hasBody: op.requestBody !== undefined,
        success: new Set(
          Object.keys(op.responses as object)
            .filter((s) => /^2\d\d$/.test(s))
            .map(Number),
        ),
        role: String(op['x-trueup-role']),
      };
    }),
  );
});

afterAll(async () => {
  await api?.services.policyRunner.close();
  await db?.close();
});

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const nestedObject = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

/** Path segments a client might send: ids that exist, junk, traversal, encodings, huge. */
const segment = () =>
  fc.oneof(
    fc.constantFrom(...knownIds),
    fc.string({ minLength: 1, maxLength: 40 }),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }),
    fc.constantFrom(
      '..',
      '%2e%2e',
      '%00',
      '%ff',
      '%',
      'a%2Fb',
      '-1',
      '0',
      '1e99',
      'null',
      "' or 1=1 --",
      ' ',
    ),
    fc.integer({ min: 201, max: 5000 }).map((n) => 'x'.repeat(n)),
  );

const queryValue = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 10 }),
  fc.constantFrom('', '-1', '0', '99999999999999999999', 'true', 'NaN', '[]', '{}', '%zz', 'eyJ4IjoxfQ'),
);

/** A body: the kinds of thing a confused or hostile client sends. */
const body = fc.oneof(
  fc.constantFrom(
    '{',
    '{"a":',
    'nul',
    '[1,2',
    '"unterminated',
    '\u0000',
    '',
    '{"a":1}}',
    '{"__proto__":{"x":1}}',
  ),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.anything({ maxDepth: 3, withNullPrototype: true }).map((v) => JSON.stringify(v) ?? 'undefined'),
  fc
    .dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 8 })
    .map((v) => JSON.stringify(v)),
  fc.constantFrom(
    JSON.stringify({ dryRun: 'yes', mode: 7 }),
    JSON.stringify({ name: 1, type: 'csv', uniqueFieldKey: [], connection: 'x' }),
    JSON.stringify({ objectType: 'User', unknownField: true }),
    JSON.stringify({ path: '../../etc/passwd', source: 1 }),
    JSON.stringify({ path: 'a.ts', input: { a: '\u0000' } }),
    JSON.stringify({ name: 'x\u0000y', type: 'csv', uniqueFieldKey: 'k', connection: { path: '\u0000' } }),
    JSON.stringify({
      objectType: 'User',
      idmSearchFilter: { a: { b: { c: [] } } },
      frequency: '* * * * * * *',
    }),
  ),
  fc.integer({ min: 1000, max: 20_000 }).map(nested),
  fc.integer({ min: 1000, max: 20_000 }).map(nestedObject),
  fc.constantFrom(1, 2).map((mb) => JSON.stringify({ name: 'x'.repeat(mb * 1024 * 1024) })),
  fc.constant(`{"a":"${'y'.repeat(6 * 1024 * 1024)}"}`),
);

const contentType = fc.constantFrom(
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  undefined,
);

const role = fc.constantFrom('admin', 'admin', 'admin', 'operator', 'viewer', null) as fc.Arbitrary<
  'admin' | 'operator' | 'viewer' | null
>;

function request(op: Operation) {
  return fc.record({
    params: fc.tuple(...op.params.map(() => segment())),
    query: fc.array(
      fc.tuple(
        fc.oneof(fc.constantFrom(...(op.query.length ? op.query : ['x'])), fc.string({ maxLength: 15 })),
        queryValue,
      ),
      { maxLength: 4 },
    ),
    body: op.hasBody || op.method !== 'GET' ? fc.option(body, { freq: 5 }) : fc.constant(null),
    contentType,
    role,
  });
}

function urlOf(op: Operation, params: string[], query: Array<[string, string]>): string {
  let i = 0;
  const path = op.path.replace(/\{[^}]+\}/g, () => {
    const value = params[i++] ?? 'x';
    // Most segments are sent encoded; some raw, as a hand-written client might.
    return i % 3 === 0 ? value.replace(/[/?#\s]/g, '_') : encodeURIComponent(value);
  });
  const search = new URLSearchParams(query).toString();
  return search ? `${path}?${search}` : path;
}

it(`answers ${total} generated requests with a documented success or a 4xx in the one error shape`, async () => {
  expect(operations.length).toBeGreaterThan(30);
  const statuses = new Map<number, number>();
  const serverErrors: string[] = [];
  let sent = 0;
  const perOperation = Math.ceil(total / operations.length);
  const started = Date.now();
  for (const [index, op] of operations.entries()) {
    await fc.assert(
      fc.asyncProperty(request(op), async (r) => {
        sent++;
        const url = urlOf(op, r.params, r.query);
        const headers: Record<string, string> = {};
        if (r.role) headers.authorization = `Bearer ${api.tokens[r.role]}`;
        if (r.contentType && r.body !== null) headers['content-type'] = r.contentType;
        const response = await api.app.request(url, {
          method: op.method,
          headers,
          ...(r.body === null ? {} : { body: r.body }),
        });
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        const text = await response.text();
        const where = `${op.method} ${url.slice(0, 200)} (${response.status})`;
        if (response.status >= 500) serverErrors.push(`${where}: ${text.slice(0, 300)}`);
        expect(response.status, where).toBeLessThan(500);
        if (response.status >= 400) {
          const error = (JSON.parse(text) as ErrorBody).error;
          expect(error, where).toMatchObject({
            code: expect.any(String),
            message: expect.any(String),
            requestId: expect.any(String),
          });
        } else {
          expect(op.success.has(response.status), where).toBe(true);
        }
      }),
      { numRuns: perOperation, seed: 8 + index, endOnFailure: true },
    );
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const table = [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}: ${n}`);
  process.stdout.write(
    `openapi fuzz: ${sent} requests over ${operations.length} operations in ${seconds} s; answers ${table.join(', ')}\n`,
  );
  expect(serverErrors).toEqual([]);
  expect(sent).toBeGreaterThanOrEqual(total);
}, 600_000);
