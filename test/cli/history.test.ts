import { beforeAll, describe, expect, it } from 'vitest';
import { runTrueup, tempDataDir } from '../helpers/server.ts';
import { type SeededRuns, seedRunsInDataDir } from '../http/run-fixtures.ts';

describe('trueup history', () => {
  const dataDir = tempDataDir();
  let seeded: SeededRuns;
  beforeAll(async () => {
    seeded = await seedRunsInDataDir(dataDir);
  });

  it('prints the newest runs as a table', async () => {
    const result = await runTrueup(['history'], { DATA_DIR: dataDir });
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^RUN\s+CONFIG\s+STATUS\s+MODE\s+STARTED\s+DURATION\s+BY\s+OBJECTS\s+ERRORS$/);
    expect(lines).toHaveLength(7);
    expect(lines[1]).toContain(seeded.runIds[4]);
    expect(lines.find((l) => l.includes(seeded.runIds[2]!))).toMatch(
      /stopped_by_threshold\s+full\s+2025-03-01T10:00:00.000Z\s+2.0s\s+ci-bot\s+20\s+2$/,
    );
    expect(lines.find((l) => l.includes(seeded.runIds[1]!))).toMatch(/full dry\s+\S+\s+2.0s\s+-\s/);
  });

  it('filters by config and limits, or prints JSON lines', async () => {
    const result = await runTrueup(['history', '--config', seeded.configId, '--limit', '2', '--json'], {
      DATA_DIR: dataDir,
    });
    expect(result.code).toBe(0);
    const runs = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; configId: string });
    expect(runs.map((r) => r.id)).toEqual([seeded.runIds[4], seeded.runIds[3]]);
  });

  it.each([
    [['history', '--limit', 'lots'], /--limit/],
    [['history', '--limit', '0'], /--limit/],
    [['history', 'extra'], /unexpected argument/],
    [['history', '--since', 'x'], /since/],
  ])('exits 2 on bad usage: %s', async (args, message) => {
    const result = await runTrueup(args, { DATA_DIR: dataDir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
