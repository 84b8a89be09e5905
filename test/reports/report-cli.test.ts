import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { runTrueup, tempDataDir } from '../helpers/server.ts';
import { type SeededRuns, seedRunsInDataDir } from '../http/run-fixtures.ts';

describe('trueup report', () => {
  let dataDir: string;
  let seeded: SeededRuns;
  beforeAll(async () => {
    dataDir = tempDataDir();
    seeded = await seedRunsInDataDir(dataDir);
  });

  it("writes the config's report format (HTML) and --format csv", async () => {
    const html = await runTrueup(['report', seeded.eventRunId], { DATA_DIR: dataDir });
    expect(html.code).toBe(0);
    expect(html.stdout).toMatch(/^<!DOCTYPE html>/);
    expect(html.stdout).toContain('Changed objects (84)');
    const csv = await runTrueup(['report', seeded.eventRunId, '--format', 'csv'], { DATA_DIR: dataDir });
    expect(csv.code).toBe(0);
    const rows = parse(csv.stdout, { bom: true }) as string[][];
    expect(rows[0]![0]).toBe('object key');
    expect(rows).toHaveLength(251);
  }, 60_000);

  it('exits 1 for an unknown run and 2 on bad usage', async () => {
    const missing = await runTrueup(['report', 'nope'], { DATA_DIR: dataDir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no run "nope"/);
    const bad = await runTrueup(['report', seeded.eventRunId, '--format', 'pdf'], { DATA_DIR: dataDir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--format must be html or csv/);
    const none = await runTrueup(['report'], { DATA_DIR: dataDir });
    expect(none.code).toBe(2);
  }, 60_000);
});
