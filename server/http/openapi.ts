import { z } from 'zod';
import { errorStatus } from './errors.ts';
import type { ApiRoute } from './route.ts';

type JsonSchema = Record<string, unknown>;
type Operation = Record<string, unknown>;
export type OpenApiDocument = {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers: Array<{ url: string }>;
  components: Record<string, unknown>;
  security: Array<Record<string, string[]>>;
  tags: Array<{ name: string }>;
  paths: Record<string, Record<string, Operation>>;
};

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/** `/api/runs/:id` → `/api/runs/{id}`; a trailing wildcard becomes `{path}`. */
export function openApiPath(honoPath: string): string {
  return honoPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/\/\*[A-Za-z0-9_]*$/, '/{path}');
}

function parameters(route: Pick<ApiRoute, 'path' | 'query'>): unknown[] {
  const inPath = [...openApiPath(route.path).matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  if (!route.query) return inPath;
  const query = jsonSchema(route.query, 'input');
  const properties = (query.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((query.required ?? []) as string[]);
  const inQuery = Object.entries(properties).map(([name, schema]) => ({
    name,
    in: 'query',
    required: required.has(name),
    schema,
    ...(typeof schema.description === 'string' ? { description: schema.description } : {}),
  }));
  return [...inPath, ...inQuery];
}

const errorResponse = {
  description: 'an error: { error: { code, message, requestId, details? } }',
  content: {
    'application/json': {
      schema: {
        type: 'object',
        required: ['error'],
        properties: {
          error: {
            type: 'object',
            required: ['code', 'message', 'requestId'],
            properties: {
              code: { type: 'string', enum: Object.keys(errorStatus) },
              message: { type: 'string' },
              requestId: { type: 'string' },
              details: {},
            },
          },
        },
      },
    },
  },
};

function operation(route: ApiRoute): Operation {
  const success: Record<string, unknown> = { description: route.summary };
  if (route.status !== 204) {
    success.content = {
      [route.contentType ?? 'application/json']: {
        schema: route.response ? jsonSchema(route.response, 'output') : {},
      },
    };
  }
  const isApi = route.path.startsWith('/api/');
  return {
    tags: [route.tag],
    summary: route.summary,
    operationId: `${route.method.toLowerCase()}${openApiPath(route.path).replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
    parameters: parameters(route),
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchema(route.body, 'input') } },
          },
        }
      : {}),
    responses: { [String(route.status)]: success, default: errorResponse },
    ...(isApi ? {} : { security: [] }),
  };
}

/**
 * The OpenAPI 3.1 document: every registered route, described from its zod schemas where it
 * has them (routes registered outside `apiRoutes` appear with their path and method).
 */
export function buildOpenApi(
  described: ApiRoute[],
  registered: Array<{ method: string; path: string }>,
  version: string,
): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  const add = (method: string, path: string, op: Operation) => {
    const key = openApiPath(path);
    paths[key] ??= {};
    paths[key][method.toLowerCase()] = op;
  };
  for (const { method, path } of registered) {
    if (method === 'ALL' || (path.includes('*') && !path.startsWith('/api/'))) continue;
    add(method, path, {
      tags: [path.startsWith('/api/') ? path.split('/')[2]! : 'service'],
      summary: `${method} ${path}`,
      parameters: parameters({ path }),
      responses: { '200': { description: 'success' }, default: errorResponse },
      ...(path.startsWith('/api/') ? {} : { security: [] }),
    });
  }
  for (const route of described) add(route.method, route.path, operation(route));
  const tags = [
    ...new Set(
      Object.values(paths).flatMap((ops) => Object.values(ops).flatMap((op) => op.tags as string[])),
    ),
  ];
  return {
    openapi: '3.1.0',
    info: {
      title: 'trueup',
      version,
      description:
        'Identity reconciliation server. Every /api route needs "Authorization: Bearer <token>"; ' +
        'admin tokens may do anything, viewer tokens may only read.',
    },
    servers: [{ url: '/' }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    tags: tags.map((name) => ({ name })),
    paths,
  };
}
