import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { beforeAll, expect, it } from 'vitest';
import { seedDemoWorkspace } from '../../server/demo/seed.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { createReviewApi, eventRows, type ReviewApi } from './review-fixture.ts';

/**
 * The demo's HR file damaged in each way a real export gets damaged, through the engine (one stray
 * quote used to disable people still in it, and the run said `succeeded`). For every case nothing
 * the clean file still lists is disabled or deleted, the run is not `succeeded`, and what went
 * wrong is named where it is (the line, or the file).
 */
type Case = {
  name: string;
  damage: (clean: string) => string | Buffer | null;
  status: 'stopped_by_guard' | 'failed';
  /** Where the run says the problem is: in a read problem's event, or the run's own error. */
  says: RegExp;
};

const lines = (text: string) => text.trimEnd().split('\n');
const withLine = (text: string, index: number, change: (line: string) => string) =>
  `${lines(text)
    .map((line, i) => (i === index ? change(line) : line))
    .join('\n')}\n`;

const cases: Case[] = [
  {
    name: 'a file cut short in the middle of a record',
    damage: (clean) => clean.slice(0, clean.indexOf('E1020') + 30),
    status: 'stopped_by_guard',
    says: /line 21 has \d+ fields?; the file has 8 columns|line 21/,
  },
  {
    name: 'a stray quote',
    damage: (clean) => withLine(clean, 10, (line) => line.replace(',People,', ',"People,')),
    status: 'stopped_by_guard',
    says: /line 11 opens a quoted field/,
  },
  {
    name: 'a duplicate key',
    damage: (clean) =>
      `${clean}E1005,Barbara,Liskov-Two,bl2@example.test,Research,Scientist,active,2026-11-05T08:00:00Z\n`,
    status: 'stopped_by_guard',
    says: /the key "E1005" appears more than once/,
  },
  {
    name: 'a Latin-1 file read as UTF-8',
    damage: (clean) =>
      iconv.encode(
        withLine(clean, 3, (line) => line.replace('Turing', 'Türing')),
        'latin1',
      ),
    status: 'stopped_by_guard',
    says: /line 4/,
  },
  {
    name: 'a row with a column missing',
    damage: (clean) => withLine(clean, 7, (line) => line.replace(',Engineering', '')),
    status: 'stopped_by_guard',
    says: /line 8 has 7 fields; the file has 8 columns/,
  },
  {
    name: 'a 10 MB line',
    damage: (clean) => withLine(clean, 12, (line) => `${line}${'x'.repeat(10 * 1024 * 1024)}`),
    status: 'stopped_by_guard',
    says: /line 13 is longer than maxRecordBytes/,
  },
  {
    name: 'a header only',
    damage: (clean) => `${lines(clean)[0]}\n`,
    status: 'stopped_by_guard',
    says: /returned 0 account\(s\), fewer than the source guard's minimum/,
  },
  {
    name: 'an empty file',
    damage: () => '',
    status: 'failed',
    says: /is empty: it has no header row/,
  },
  {
    name: 'a missing file',
    damage: () => null,
    status: 'failed',
    says: /does not exist: upload it/,
  },
];

describeEachDatabase('damaged HR exports through the engine', (db) => {
  let api: ReviewApi;
  let hrFile: string;
  let clean: string;
  const idmState = () =>
    db().rows<{ employee_id: string; status: string; version: number }>(
      sql`select employee_id, status, version from idm_objects where type = 'User' order by employee_id`,
    );

  beforeAll(async () => {
    api = await createReviewApi(db());
    expect(await seedDemoWorkspace(db(), api.services.config.dataDir)).toBe(true);
    hrFile = path.join(api.services.config.dataDir, 'demo/hr.csv');
    clean = readFileSync(hrFile, 'utf8');
    expect((await api.run('demo-hr-users')).status).toBe('succeeded');
  });

  it.each(cases)('$name: no one is disabled, the run says what and where', async (c) => {
    const before = await idmState();
    const damaged = c.damage(clean);
    if (damaged === null) rmSync(hrFile);
    else writeFileSync(hrFile, damaged);
    try {
      const run = await api.run('demo-hr-users');
      expect(run.status).toBe(c.status);
      expect(await idmState()).toEqual(before);
      const said = [
        run.error?.message ?? '',
        ...(await eventRows(db(), run.id)).map((e) => e.error?.message ?? ''),
      ].join('\n');
      expect(said).toMatch(c.says);
      // A held plan concludes nothing from what a damaged read missed: no disable in it. (A
      // header-only file reads cleanly: its plan, everyone disabled, waits for an admin.)
      const planned = (await eventRows(db(), run.id)).filter((e) => e.outcome === 'planned');
      const disables = planned.filter((e) => e.response === 'DISABLE_IN_IDM').length;
      expect(disables).toBe(c.name === 'a header only' ? before.length : 0);
    } finally {
      writeFileSync(hrFile, clean);
    }
  });

  it('a stray quote on any line disables no one, and the run is not succeeded', async () => {
    const lines = clean.trimEnd().split('\n');
    const before = await idmState();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: lines.length - 1 }), fc.nat(), async (index, at) => {
        const line = lines[index] as string;
        const position = at % (line.length + 1);
        const damaged = [...lines];
        damaged[index] = `${line.slice(0, position)}"${line.slice(position)}`;
        writeFileSync(hrFile, `${damaged.join('\n')}\n`);
        try {
          const run = await api.run('demo-hr-users');
          // A quote that happens to make a valid quoted field reads clean: then nothing changed.
          if (run.status === 'succeeded') {
            expect(await idmState()).toEqual(before);
            return;
          }
          expect(run.status).toBe('stopped_by_guard');
          expect(run.error?.details).toMatchObject({ reason: 'read_problems' });
          expect(await idmState()).toEqual(before);
          const problems = (await eventRows(db(), run.id)).filter((e) => e.error?.code === 'read_problem');
          expect(problems.length).toBeGreaterThan(0);
          // Nothing the read missed is concluded: no planned disable in the held plan.
          const planned = (await eventRows(db(), run.id)).filter((e) => e.outcome === 'planned');
          expect(planned.filter((e) => e.response === 'DISABLE_IN_IDM')).toEqual([]);
        } finally {
          writeFileSync(hrFile, clean);
        }
      }),
      { numRuns: 6 },
    );
    const settled = await api.run('demo-hr-users');
    expect(settled.status).toBe('succeeded');
    expect(await eventRows(db(), settled.id)).toEqual([]);
  });
});
