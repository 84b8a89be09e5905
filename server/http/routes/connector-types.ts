import { z } from 'zod';
import { defineRoute } from '../route.ts';

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

/** The connector registry as the console's forms and API clients need it (server/connectors/registry.ts). */
export const listConnectorTypesRoute = defineRoute({
  method: 'GET',
  path: '/api/connector-types',
  tag: 'systems',
  summary: 'The connector types a system may have: settings (JSON Schema and form fields), secret fields',
  status: 200,
  response: listConnectorTypesResponse,
  handler: (services) => (c) => {
    const response: ListConnectorTypesResponse = { items: services.connectors.describe() };
    return c.json(response);
  },
});
