import { beforeAll, expect, it } from 'vitest';
import { openApiPath } from '../../server/http/openapi.ts';
import type { OpenApiResponse } from '../../server/http/routes/openapi.ts';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { describeEachDatabase } from '../helpers/databases.ts';

describeEachDatabase('OpenAPI document and /docs', (db) => {
  let api: TestApi;
  let doc: OpenApiResponse;
  beforeAll(async () => {
    api = await createTestApi(db());
    const response = await api.request('GET', '/openapi.json', { role: null });
    expect(response.status).toBe(200);
    doc = (await response.json()) as OpenApiResponse;
  });

  it('is OpenAPI 3.1 with bearer security', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toBe(api.services.version);
    expect(doc.components).toMatchObject({ securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } });
  });

  it('lists every route the app serves', () => {
    const served = api.app.routes
      .filter((r) => r.method !== 'ALL')
      .map((r) => `${r.method.toLowerCase()} ${openApiPath(r.path)}`);
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m} ${path}`),
    );
    expect(served.length).toBeGreaterThan(30);
    expect(new Set(documented)).toEqual(new Set(served));
  });

  /** The value at `path` in the document (keys joined by " > ", since paths hold dots and slashes). */
  const dig = (path: string): unknown =>
    path
      .split(' > ')
      .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], doc);

  it('describes bodies, parameters and responses from the zod schemas', () => {
    const body = '/api/systems > post > requestBody > content > application/json > schema';
    expect(dig(`paths > ${body} > required`)).toEqual(
      expect.arrayContaining(['name', 'type', 'uniqueFieldKey', 'connection']),
    );
    // The types come from the connector registry (plugins too), listed by GET /api/connector-types.
    expect(dig(`paths > ${body} > properties > type > type`)).toBe('string');
    expect(dig(`paths > ${body} > properties > type > description`)).toMatch(/connector-types/);
    expect(dig(`paths > ${body} > additionalProperties`)).toBe(false);
    const config =
      'paths > /api/systems/{id}/recon-configs > post > requestBody > content > application/json > schema';
    expect(Object.keys(dig(`${config} > properties`) as object)).toEqual(
      expect.arrayContaining([
        'objectType',
        'frequency',
        'timezone',
        'situations',
        'deletionThreshold',
        'attributeSync',
      ]),
    );
    const parameters = dig('paths > /api/runs > get > parameters') as Array<{ name: string }>;
    expect(parameters.map((p) => p.name)).toEqual(
      expect.arrayContaining(['configId', 'status', 'from', 'to', 'cursor', 'limit']),
    );
    expect(dig('paths > /api/runs/{id} > get > parameters')).toEqual([
      { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
    ]);
    expect(
      dig(
        'paths > /api/runs/{id} > get > responses > 200 > content > application/json > schema > properties > counts',
      ),
    ).toBeDefined();
    expect(
      Object.keys(dig('paths > /api/runs/{id}/events.csv > get > responses > 200 > content') as object),
    ).toEqual(['text/csv']);
    expect(dig('paths > /health > get > security')).toEqual([]);
  });

  it('renders a self-contained HTML reference at /docs', async () => {
    const response = await api.request('GET', '/docs', { role: null });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain('<code>/api/runs/{id}/events.csv</code>');
    expect(html).toContain('<code>/api/recon-configs/{id}/runs</code>');
    expect(html).not.toMatch(/<script|https?:\/\/(?!.*example)/);
  });
});
