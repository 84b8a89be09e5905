import { z } from 'zod';
import { csvConnectionSchema } from '../../../connectors/csv/csv-settings.ts';
import { type ConnectorType, secretFields } from '../../../connectors/index.ts';
import { ldapConnectionSchema } from '../../../connectors/ldap/ldap-settings.ts';
import { sqlConnectionSchema } from '../../../connectors/sql/sql-settings.ts';
import { systemTypes } from '../../../db/schema/managed-systems.ts';

/**
 * The connector registry as the system forms need it: each type's settings as JSON Schema and
 * the names of its secret fields. The schemas are the connectors' own zod schemas, so a form can
 * never offer a setting the connector would refuse.
 */
export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  items?: JsonSchema;
  minimum?: number;
  maximum?: number;
  description?: string;
  anyOf?: JsonSchema[];
  additionalProperties?: boolean | JsonSchema;
};

export type ConnectorForm = { type: ConnectorType; schema: JsonSchema; secrets: string[] };

const schemas = { csv: csvConnectionSchema, sql: sqlConnectionSchema, ldap: ldapConnectionSchema } as const;

export const connectorTypes: readonly ConnectorType[] = systemTypes;

export function connectorForm(type: ConnectorType): ConnectorForm {
  const schema = z.toJSONSchema(schemas[type], { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return { type, schema, secrets: secretFields[type] };
}
