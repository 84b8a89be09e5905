import { z } from 'zod';
import type { Connector } from '../core/connector-port.ts';

/** A connector type's name, as systems and plugins give it. */
export const connectorTypeName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,62}$/, 'must be a connector type name (lower case letters, digits and -)')
  .describe('csv, sql, ldap, scim, or the type of a connector plugin (GET /api/connector-types)');

/** What a connector is built with besides its settings. */
export type ConnectorContext = {
  /** The attribute that identifies an account on this system (DN, userName, primary key). */
  uniqueFieldKey: string;
};

/**
 * One connector type: what the registry (registry.ts) and a plugin's default export hold. Its
 * `settings` schema validates a system's `connection` (defaults filled in) and is what the API,
 * the console's forms and the docs describe; the `secretFields` among them are encrypted at rest
 * and never returned.
 */
export type ConnectorDefinition<S extends z.ZodType = z.ZodType> = {
  /** The system `type`: lower case letters, digits and dashes (`scim`, `rest-json`). */
  type: string;
  /** One line for people choosing a type. */
  description: string;
  settings: S;
  secretFields: readonly string[];
  create(settings: z.output<S>, context: ConnectorContext): Connector;
};

/** Types a connector definition (the built-in ones and plugins alike); returns it unchanged. */
export function defineConnector<S extends z.ZodType>(
  definition: ConnectorDefinition<S>,
): ConnectorDefinition<S> {
  return definition;
}
