import { createRoute, z } from '@hono/zod-openapi';
import type { Services } from '../../services/index.ts';
import { access, errorResponses, json } from '../api-route.ts';
import type { ApiApp } from '../app-env.ts';

const settingField = z.object({
  name: z.string(),
  type: z.string(),
  required: z.boolean(),
  secret: z.boolean(),
  description: z.string().optional(),
  default: z.unknown().optional(),
  enum: z.array(z.unknown()).optional(),
});

export const listConnectorTypesResponse = z.object({
  items: z.array(
    z.object({
      type: z.string(),
      description: z.string(),
      secretFields: z.array(z.string()),
      settings: z.record(z.string(), z.unknown()).describe('The connection settings as JSON Schema'),
      fields: z.array(settingField),
      plugin: z.string().nullable().describe('The plugin file, for a type loaded from CONNECTORS_DIR'),
    }),
  ),
});
export type ListConnectorTypesResponse = z.infer<typeof listConnectorTypesResponse>;

export const listConnectorTypesRoute = createRoute({
  method: 'get',
  path: '/api/connector-types',
  ...access('viewer'),
  tags: ['systems'],
  summary: 'The connector types a system may have: settings (JSON Schema and form fields), secret fields',
  responses: { 200: json(listConnectorTypesResponse, 'every registered connector type'), ...errorResponses },
});

/** The connector registry as the console's forms and API clients need it (server/connectors/registry.ts). */
export function registerListConnectorTypes(app: ApiApp, services: Services) {
  app.openapi(listConnectorTypesRoute, (c) => {
    const response: ListConnectorTypesResponse = { items: services.connectors.describe() };
    return c.json(response, 200);
  });
}
