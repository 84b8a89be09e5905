import type { Connector, ConnectorSettings } from '../core/connector-port.ts';
import { createConnectorRegistry } from './registry.ts';

export { ldapEscape, ldapEscapeDn, normaliseDn } from './ldap/ldap-escape.ts';
export {
  builtinConnectors,
  type ConnectorRegistry,
  type ConnectorTypeInfo,
  createConnectorRegistry,
  type SettingField,
} from './registry.ts';

/** The built-in types alone; the server's registry (with plugins) is built in server/main.ts. */
export const builtinRegistry = createConnectorRegistry();

/** Builds a built-in connector for a stored system (tests and scripts). */
export function createConnector(settings: ConnectorSettings): Connector {
  return builtinRegistry.create(settings);
}

/** Validates a built-in type's connection and splits out its secrets (see ConnectorRegistry). */
export function parseConnection(type: string, input: Record<string, unknown>) {
  return builtinRegistry.parseConnection(type, input);
}
