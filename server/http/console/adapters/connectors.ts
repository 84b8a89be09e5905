import type { Services } from '../../../services/index.ts';

/**
 * The connector registry as the system forms need it: each type's settings as JSON Schema (the
 * connector's own zod schema, built in or from a plugin) and the names of its secret fields, so
 * a form never offers a setting the connector would refuse.
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

export type ConnectorForm = { type: string; description: string; schema: JsonSchema; secrets: string[] };

export function connectorForms(services: Services) {
  const forms = new Map<string, ConnectorForm>(
    services.connectors.describe().map((info) => [
      info.type,
      {
        type: info.type,
        description: info.description,
        schema: info.settings as JsonSchema,
        secrets: info.secretFields,
      },
    ]),
  );
  const types = [...forms.keys()];
  return {
    types,
    /** The form of `type`, or of the first type when `type` is not one. */
    of: (type: string | undefined): ConnectorForm => forms.get(type ?? '') ?? forms.get(types[0]!)!,
  };
}
