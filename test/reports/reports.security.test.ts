import { beforeAll, expect, it } from 'vitest';
import { runEvents, runs } from '../../server/db/schema/index.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { seedRuns } from '../http/run-fixtures.ts';

describeEachDatabase('run reports: security', (db) => {
  let api: TestApi;
  let runId: string;
  beforeAll(async () => {
    api = await createTestApi(db());
    const seeded = await seedRuns(db());
    const [run] = await db()
      .orm.insert(runs)
      .values({
        configId: seeded.configId,
        status: 'failed',
        error: { code: 'run_failed', message: '<img src=x onerror=alert(1)>' },
      })
      .returning();
    runId = run!.id;
    const hostile = [
      '=cmd|"/c calc"!A1',
      '+1+1',
      '-2',
      '@SUM(A1)',
      '\tTAB',
      '\rCR',
      '<script>alert(1)</script>',
    ];
    await db()
      .orm.insert(runEvents)
      .values(
        hostile.map((key, i) => ({
          runId,
          seq: i + 1,
          objectKey: key,
          situation: 'IDM_EXISTS__RESOURCE_EXISTS',
          response: 'DO_NOTHING',
          outcome: 'failed' as const,
          diff: { '<b>name</b>': { before: '=1', after: '</td><script>x</script>' } },
          error: { code: 'x', message: `=HYPERLINK("http://evil")` },
        })),
      );
  });

  it.each(['/report', '/report?format=csv', '/do-nothing.csv'])('%s needs a token', async (path) => {
    const response = await api.request('GET', `/api/runs/${runId}${path}`, { role: null });
    expect(response.status).toBe(401);
  });

  it('neutralises formula cells in the CSV report', async () => {
    const text = Buffer.from(
      await (
        await api.request('GET', `/api/runs/${runId}/report?format=csv`, { role: 'viewer' })
      ).arrayBuffer(),
    ).toString('utf8');
    const { parse } = await import('csv-parse/sync');
    const rows = (parse(text, { bom: true, relax_quotes: true }) as string[][]).slice(1);
    expect(rows.map((r) => r[0])).toEqual([
      `'=cmd|"/c calc"!A1`,
      "'+1+1",
      "'-2",
      "'@SUM(A1)",
      "'\tTAB",
      "'\rCR",
      '<script>alert(1)</script>',
    ]);
    for (const row of rows) expect(row[6]).toBe(`'=HYPERLINK("http://evil")`);
  });

  it('escapes everything in the HTML report and forbids scripts and outside fetches', async () => {
    const response = await api.request('GET', `/api/runs/${runId}/report`, { role: 'viewer' });
    expect(response.headers.get('content-security-policy')).toBe(
      "default-src 'none'; style-src 'unsafe-inline'",
    );
    const html = await response.text();
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>name</b>');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;/td&gt;&lt;script&gt;x&lt;/script&gt;');
  });
});
