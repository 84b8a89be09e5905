import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { runTrueup, tempDataDir } from '../helpers/server.ts';
import { type SeededRuns, seedRunsInDataDir } from '../http/run-fixtures.ts';

describe('trueup events', () => {
  const dataDir = tempDataDir();
  let seeded: SeededRuns;
  beforeAll(async () => {
    seeded = await seedRunsInDataDir(dataDir);
  });

  it("lists a run's events as a table, filtered by outcome", async () => {
    const result = await runTrueup(['events', seeded.eventRunId, '--outcome', 'failed', '--limit', '3'], {
      DATA_DIR: dataDir,
    });
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^SEQ\s+OBJECT\s+SITUATION\s+RESPONSE\s+OUTCOME\s+ERROR$/);
    expect(lines.slice(1, 4).map((l) => l.split(/\s+/)[0])).toEqual(['10', '20', '30']);
    expect(lines[1]).toMatch(
      /emp-10\s+IDM_EXISTS__RESOURCE_EXISTS\s+UPDATE_IDM_FROM_RESOURCE\s+failed\s+boom, at line 3$/,
    );
    expect(lines[4]).toMatch(/more events/);
  });

  it('exports every event as CSV, the same as the API', async () => {
    const result = await runTrueup(['events', seeded.eventRunId, '--csv'], { DATA_DIR: dataDir });
    expect(result.code).toBe(0);
    const rows = parse(result.stdout, { bom: true }) as string[][];
    expect(rows[0]).toEqual([
      'object key',
      'IDM id',
      'situation',
      'response',
      'outcome',
      'changed attributes',
      'error',
    ]);
    expect(rows).toHaveLength(251);
    expect(rows[1]![0]).toBe(`'=HYPERLINK("http://evil.example","click")`);
  });

  it('exits 1 for an unknown run and 2 on bad usage', async () => {
    const missing = await runTrueup(['events', '00000000-0000-0000-0000-000000000000'], {
      DATA_DIR: dataDir,
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no run/);
    for (const [args, message] of [
      [['events'], /run id is required/],
      [['events', seeded.eventRunId, '--outcome', 'exploded'], /--outcome/],
      [['events', seeded.eventRunId, '--csv', '--limit', '5'], /--csv/],
    ] as const) {
      const result = await runTrueup([...args], { DATA_DIR: dataDir });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
    }
  }, 90_000);
});
