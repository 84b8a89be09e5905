import { parse } from 'csv-parse/sync';
import { beforeAll, expect, it } from 'vitest';
import { runEvents, runs } from '../../server/db/schema/index.ts';
import { eventsCsvReport } from '../../server/reports/csv-report.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { type SeededRuns, seedRuns } from '../http/run-fixtures.ts';

const bytes = async (response: Response) => Buffer.from(await response.arrayBuffer()).toString('utf8');

describeEachDatabase('run reports: happy paths', (db) => {
  let api: TestApi;
  let seeded: SeededRuns;
  let bigRunId: string;
  beforeAll(async () => {
    api = await createTestApi(db(), { PUBLIC_URL: 'https://trueup.example/' });
    seeded = await seedRuns(db());
    // 1,200 changed objects: the HTML shows the first 1,000 and links to the rest.
    const [big] = await db()
      .orm.insert(runs)
      .values({
        configId: seeded.configId,
        status: 'succeeded',
        counts: { situations: {}, responses: {}, errors: 0 },
      })
      .returning();
    bigRunId = big!.id;
    await db()
      .orm.insert(runEvents)
      .values(
        Array.from({ length: 1200 }, (_, i) => ({
          runId: bigRunId,
          seq: i + 1,
          objectKey: `k${i + 1}`,
          situation: 'IDM_EXISTS__RESOURCE_EXISTS',
          response: 'UPDATE_RESOURCE_FROM_IDM',
          outcome: 'applied' as const,
          diff: { title: { before: `t${i}`, after: `T${i}` } },
        })),
      );
  });

  it('serves the HTML report by default: summary, counts, gates, errors, changed objects', async () => {
    const response = await api.request('GET', `/api/runs/${seeded.eventRunId}/report`, { role: 'viewer' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await response.text();
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('Run <b style="color:#1a7f37">succeeded</b>');
    expect(html).toContain('Situations');
    expect(html).toContain('IDM_EXISTS__RESOURCE_EXISTS');
    expect(html).toContain('Deletion threshold');
    expect(html).toContain('Errors (25)');
    expect(html).toContain('boom, at line 3 (p.ts:3)');
    expect(html).toContain('Changed objects (84)');
    expect(html).toContain('mail: old0@x → new0@x<br>title: (empty) → Eng, &quot;Lead&quot;');
    expect(html).toContain(`https://trueup.example/runs/${seeded.eventRunId}`);
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(/i);
  });

  it('lists the first 1,000 changed objects and links to all of them', async () => {
    const html = await (await api.request('GET', `/api/runs/${bigRunId}/report?format=html`)).text();
    expect(html.match(/title: t\d+ → T\d+/g)).toHaveLength(1000);
    expect(html).toContain('The first 1000 of 1200 changed objects are shown');
    expect(html).toContain(`href="https://trueup.example/runs/${bigRunId}/report?format=csv"`);
  });

  it('serves the CSV report: RFC 4180, BOM, readable columns, every event', async () => {
    const response = await api.request('GET', `/api/runs/${bigRunId}/report?format=csv`);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="run-${bigRunId}-report.csv"`,
    );
    const text = await bytes(response);
    expect(
      text.startsWith('\uFEFFobject key,IDM id,situation,response,outcome,changed attributes,error\r\n'),
    ).toBe(true);
    const rows = parse(text, { bom: true }) as string[][];
    expect(rows).toHaveLength(1201);
    expect(rows[1]).toEqual([
      'k1',
      '',
      'IDM_EXISTS__RESOURCE_EXISTS',
      'UPDATE_RESOURCE_FROM_IDM',
      'applied',
      'title: t0 → T0',
      '',
    ]);
  });

  it('streams the CSV in pages from the database', async () => {
    const chunks: string[] = [];
    for await (const chunk of eventsCsvReport(db(), bigRunId, { pageSize: 100 })) chunks.push(chunk);
    expect(chunks).toHaveLength(1 + 12);
    expect(chunks.join('')).toBe(
      await bytes(await api.request('GET', `/api/runs/${bigRunId}/report?format=csv`)),
    );
  });

  it('serves the DO_NOTHING objects of a run as CSV', async () => {
    const response = await api.request('GET', `/api/runs/${seeded.eventRunId}/do-nothing.csv`, {
      role: 'viewer',
    });
    expect(response.status).toBe(200);
    const rows = parse(await bytes(response), { bom: true }) as string[][];
    expect(rows.length).toBe(1 + 83);
    expect(rows.slice(1).every((r) => r[3] === 'DO_NOTHING')).toBe(true);
  });
});
