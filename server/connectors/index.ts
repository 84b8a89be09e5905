import { type Connector, ConnectorConfigError, type ConnectorSettings } from '../core/connector-port.ts';
import { createCsvConnector } from './csv/csv-connector.ts';
import { csvConnectionSchema } from './csv/csv-settings.ts';
import { createLdapConnector } from './ldap/ldap-connector.ts';
import { ldapConnectionSchema } from './ldap/ldap-settings.ts';
import { parseSettings } from './parse-settings.ts';
import { createSqlConnector } from './sql/sql-connector.ts';
import { sqlConnectionSchema } from './sql/sql-settings.ts';

export { ldapDnEscape, ldapEscape, normaliseDn } from './ldap/ldap-escape.ts';

export type ConnectorType = ConnectorSettings['type'];

/** The connection fields that are secrets: the API encrypts them and never returns them. */
export const secretFields: Record<ConnectorType, string[]> = {
  csv: [],
  sql: ['password'],
  ldap: ['bindPassword'],
};

const schemas = {
  csv: csvConnectionSchema,
  sql: sqlConnectionSchema,
  ldap: ldapConnectionSchema,
} as const;

/**
 * Validates a system's `connection` as given to POST /api/systems (defaults filled in) and splits
 * out its secret fields. Throws ConnectorConfigError naming the bad field.
 */
export function parseConnection(
  type: ConnectorType,
  input: Record<string, unknown>,
): { connection: Record<string, unknown>; secrets: Record<string, string> } {
  const schema = schemas[type as keyof typeof schemas];
  if (!schema) throw new ConnectorConfigError('type', `"${type}" is not a connector type (csv, sql, ldap)`);
  const parsed = parseSettings(schema, input) as Record<string, unknown>;
  const connection: Record<string, unknown> = {};
  const secrets: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (value === undefined) continue;
    if (secretFields[type].includes(name)) secrets[name] = String(value);
    else connection[name] = value;
  }
  return { connection, secrets };
}

/** Builds the connector for a stored system: its connection plus its decrypted secrets. */
export function createConnector(settings: ConnectorSettings): Connector {
  const input = { ...settings.connection, ...settings.secrets };
  switch (settings.type) {
    case 'csv':
      return createCsvConnector(parseSettings(csvConnectionSchema, input), settings.uniqueFieldKey);
    case 'sql':
      return createSqlConnector(parseSettings(sqlConnectionSchema, input), settings.uniqueFieldKey);
    case 'ldap':
      return createLdapConnector(parseSettings(ldapConnectionSchema, input), settings.uniqueFieldKey);
  }
}
