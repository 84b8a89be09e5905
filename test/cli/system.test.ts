import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openConfiguredDatabase } from '../../server/db/open.ts';
import { managedSystems } from '../../server/db/schema/index.ts';
import { migratedDataDir } from '../helpers/pglite-template.ts';
import { runTrueup } from '../helpers/server.ts';

describe('trueup system test', () => {
  const dataDir = migratedDataDir();
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    const file = path.join(dataDir, 'people.csv');
    writeFileSync(file, 'id,name\n1,Ada\n2,Alan\n');
    const db = await openConfiguredDatabase({ databaseUrl: undefined, dataDir });
    try {
      const rows = await db.orm
        .insert(managedSystems)
        .values([
          { name: 'good', type: 'csv', uniqueFieldKey: 'id', connection: { path: file } },
          {
            name: 'missing',
            type: 'csv',
            uniqueFieldKey: 'id',
            connection: { path: path.join(dataDir, 'nope.csv') },
          },
        ])
        .returning();
      for (const row of rows) ids[row.name] = row.id;
    } finally {
      await db.close();
    }
  });

  it('exits 0 and says ok for a working connection', async () => {
    const result = await runTrueup(['system', 'test', ids.good!], { DATA_DIR: dataDir });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ok: /);
  });

  it('exits 1 and says why for a broken one', async () => {
    const result = await runTrueup(['system', 'test', ids.missing!], { DATA_DIR: dataDir });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^not ok: .+/);
  });

  it('exits 2 for an unknown system or bad usage', async () => {
    const unknown = await runTrueup(['system', 'test', 'nope'], { DATA_DIR: dataDir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no managed system "nope"/);
    expect((await runTrueup(['system', 'probe', 'x'], { DATA_DIR: dataDir })).code).toBe(2);
    expect((await runTrueup(['system', 'test'], { DATA_DIR: dataDir })).code).toBe(2);
    const help = await runTrueup(['system', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('system test <systemId>');
  }, 90_000);
});
