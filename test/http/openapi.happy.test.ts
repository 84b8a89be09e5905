import { readFileSync } from 'node:fs';
import { beforeAll, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../helpers/api.ts';
import { describeEachDatabase } from '../helpers/databases.ts';

type Operation = Record<string, unknown> & { parameters?: Array<{ name: string; in: string }> };
type Document = {
  openapi: string;
  info: { version: string };
  components: Record<string, unknown>;
  paths: Record<string, Record<string, Operation>>;
};

/** `/api/runs/:id` → `/api/runs/{id}`; a regexp parameter (`:path{.+}`) becomes `{path}`. */
const openApiPath = (honoPath: string) => honoPath.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, '{$1}');

describeEachDatabase('OpenAPI document and /docs', (db) => {
  let api: TestApi;
  let doc: Document;
  beforeAll(async () => {
    api = await createTestApi(db());
    const response = await api.request('GET', '/openapi.json', { role: null });
    expect(response.status).toBe(200);
    doc = (await response.json()) as Document;
  });

  it('is OpenAPI 3.1 with bearer security', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toBe(api.services.version);
    expect(doc.components).toMatchObject({ securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } });
  });

  it('lists every route the app serves, each with its role', () => {
    const served = api.app.routes
      .filter((r) => r.method !== 'ALL' && !r.path.startsWith('/docs/assets/'))
      .map((r) => `${r.method.toLowerCase()} ${openApiPath(r.path)}`);
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m} ${path}`),
    );
    expect(served.length).toBeGreaterThan(30);
    expect(new Set(documented)).toEqual(new Set(served));
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const role = op['x-trueup-role'];
        expect(['admin', 'operator', 'viewer', 'public'], `${method} ${path}`).toContain(role);
        // Under /api only the live-changes webhook is public (it checks its HMAC signature).
        const publicApi = `${method} ${path}` === 'post /api/systems/{id}/changes';
        expect(role === 'public', `${method} ${path}`).toBe(!path.startsWith('/api/') || publicApi);
      }
    }
    expect(doc.paths['/api/recon-configs/{id}/runs']?.post?.['x-trueup-role']).toBe('operator');
    expect(doc.paths['/api/systems']?.post?.['x-trueup-role']).toBe('admin');
    expect(doc.paths['/api/runs']?.get?.['x-trueup-role']).toBe('viewer');
  });

  it('is the route table of docs/api.md, with the same roles', () => {
    const markdown = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
    const table = [...markdown.matchAll(/^\| `([A-Z]+) (\/[^`]*)` \| (\w+) \|/gm)].map(
      ([, method, path, role]) => `${method!.toLowerCase()} ${openApiPath(path!)} ${role}`,
    );
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => `${method} ${path} ${String(op['x-trueup-role'])}`),
    );
    expect(table.sort()).toEqual(routes.sort());
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
      expect.objectContaining({ name: 'id', in: 'path', required: true }),
    ]);
    expect(
      dig('components > schemas > RunSummary > properties > startedBy'),
      'the run summary documents who started it',
    ).toBeDefined();
    expect(
      Object.keys(dig('paths > /api/runs/{id}/events.csv > get > responses > 200 > content') as object),
    ).toEqual(['text/csv']);
    expect(dig('paths > /api/policies/{path} > get > parameters')).toEqual([
      expect.objectContaining({ name: 'path', in: 'path' }),
    ]);
    expect(dig('paths > /health > get > security')).toEqual([]);
    expect(
      dig('paths > /api/runs > get > responses > default > content > application/json > schema'),
    ).toEqual({
      $ref: '#/components/schemas/Error',
    });
  });

  it('serves the reference at /docs from its own assets, confined to this origin', async () => {
    const response = await api.request('GET', '/docs', { role: null });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    const html = await response.text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets).toEqual([
      '/docs/assets/swagger-ui.css',
      '/docs/assets/swagger-ui-bundle.js',
      '/docs/assets/start.js',
    ]);
    for (const asset of assets) {
      const file = await api.request('GET', asset, { role: null });
      expect(file.status, asset).toBe(200);
      expect((await file.text()).length, asset).toBeGreaterThan(100);
    }
    expect((await api.request('GET', '/docs/assets/package.json', { role: null })).status).toBe(404);
    expect((await api.request('GET', '/docs/assets/..%2Fpackage.json', { role: null })).status).toBe(404);
  });
});
