import { z } from 'zod';
import { type Connector, ConnectorConfigError, type ConnectorSettings } from '../core/connector-port.ts';
import { csvConnector } from './csv/index.ts';
import type { ConnectorDefinition } from './define-connector.ts';
import { ldapConnector } from './ldap/index.ts';
import { parseSettings } from './parse-settings.ts';
import { scimConnector } from './scim/index.ts';
import { sqlConnector } from './sql/index.ts';

/** The built-in connector types: one folder under server/connectors/ and one line here each. */
export const builtinConnectors: RegisteredConnector[] = [
  csvConnector,
  sqlConnector,
  ldapConnector,
  scimConnector,
];

/** A connector type as the registry holds it: built in, or loaded from a plugin file. */
export type RegisteredConnector = ConnectorDefinition & { plugin?: string };

/** One setting as a form needs it (the console's system form, `trueup system` help). */
export type SettingField = {
  name: string;
  type: string;
  required: boolean;
  secret: boolean;
  description?: string;
  default?: unknown;
  enum?: unknown[];
};

/** A connector type described for the API, the console and the docs. */
export type ConnectorTypeInfo = {
  type: string;
  description: string;
  secretFields: string[];
  /** The settings as JSON Schema (draft 2020-12), secrets marked `writeOnly`. */
  settings: Record<string, unknown>;
  fields: SettingField[];
  /** The plugin file it came from; null for a built-in type. */
  plugin: string | null;
};

export type ConnectorRegistry = {
  types(): string[];
  get(type: string): RegisteredConnector | undefined;
  describe(): ConnectorTypeInfo[];
  /**
   * Validates a system's `connection` as given to POST /api/systems (defaults filled in) and splits
   * out its secret fields. Throws ConnectorConfigError naming the bad field (`type` for an
   * unknown type).
   */
  parseConnection(
    type: string,
    input: Record<string, unknown>,
  ): { connection: Record<string, unknown>; secrets: Record<string, string> };
  /** Builds the connector of a stored system: its connection plus its decrypted secrets. */
  create(settings: ConnectorSettings): Connector;
};

type JsonSchema = {
  type?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  writeOnly?: boolean;
};

function describeType(definition: RegisteredConnector): ConnectorTypeInfo {
  const schema = z.toJSONSchema(definition.settings, { io: 'input', unrepresentable: 'any' }) as JsonSchema &
    Record<string, unknown>;
  const required = new Set(schema.required ?? []);
  const fields: SettingField[] = [];
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const secret = definition.secretFields.includes(name);
    if (secret) property.writeOnly = true;
    fields.push({
      name,
      type: property.type ?? (property.enum ? 'string' : 'object'),
      required: required.has(name),
      secret,
      ...(property.description ? { description: property.description } : {}),
      ...(property.default !== undefined && !secret ? { default: property.default } : {}),
      ...(property.enum ? { enum: property.enum } : {}),
    });
  }
  return {
    type: definition.type,
    description: definition.description,
    secretFields: [...definition.secretFields],
    settings: schema,
    fields,
    plugin: definition.plugin ?? null,
  };
}

/** A plugin's connector: its failures name the plugin file, and a throwing test() is an answer. */
function guardPlugin(connector: Connector, file: string): Connector {
  for (const method of ['test', 'schema', 'search', 'write', 'close'] as const) {
    if (typeof connector?.[method] !== 'function') {
      throw new Error(`connector plugin ${file}: create() returned no ${method}() method`);
    }
  }
  // Methods are called on the plugin's own object (a class instance keeps its `this`).
  const { lookup, isDisabled, keyAsRead } = connector;
  return {
    test: async () => {
      try {
        return await connector.test();
      } catch (error) {
        return {
          ok: false,
          message: `connector plugin ${file}: test() threw: ${(error as Error)?.message ?? error}`,
        };
      }
    },
    schema: () => connector.schema(),
    search: (request) => connector.search(request),
    ...(lookup ? { lookup: (keys, request) => lookup.call(connector, keys, request) } : {}),
    ...(isDisabled ? { isDisabled: (account) => isDisabled.call(connector, account) } : {}),
    ...(keyAsRead ? { keyAsRead: (key) => keyAsRead.call(connector, key) } : {}),
    write: (ops) => connector.write(ops),
    close: () => connector.close(),
  };
}

/** The registry of the built-in types plus the plugins loaded from CONNECTORS_DIR. */
export function createConnectorRegistry(plugins: RegisteredConnector[] = []): ConnectorRegistry {
  const byType = new Map<string, RegisteredConnector>();
  for (const definition of [...builtinConnectors, ...plugins]) {
    const taken = byType.get(definition.type);
    if (taken) {
      throw new Error(
        `connector plugin ${definition.plugin}: type "${definition.type}" is already ${taken.plugin ? `defined by ${taken.plugin}` : 'built in'}`,
      );
    }
    byType.set(definition.type, definition);
  }
  const known = () => [...byType.keys()].join(', ');
  const definitionOf = (type: string) => {
    const definition = byType.get(type);
    if (!definition) throw new ConnectorConfigError('type', `"${type}" is not a connector type (${known()})`);
    return definition;
  };
  let described: ConnectorTypeInfo[] | undefined;

  return {
    types: () => [...byType.keys()],
    get: (type) => byType.get(type),
    describe: () => {
      described ??= [...byType.values()].map(describeType);
      return described;
    },
    parseConnection(type, input) {
      const definition = definitionOf(type);
      const parsed = parseSettings(definition.settings, input) as Record<string, unknown>;
      const connection: Record<string, unknown> = {};
      const secrets: Record<string, string> = {};
      for (const [name, value] of Object.entries(parsed)) {
        if (value === undefined) continue;
        if (definition.secretFields.includes(name)) secrets[name] = String(value);
        else connection[name] = value;
      }
      return { connection, secrets };
    },
    create(settings) {
      const definition = definitionOf(settings.type);
      const input = { ...settings.connection, ...settings.secrets };
      const parsed = parseSettings(definition.settings, input);
      if (!definition.plugin) return definition.create(parsed, { uniqueFieldKey: settings.uniqueFieldKey });
      let connector: Connector;
      try {
        connector = definition.create(parsed, { uniqueFieldKey: settings.uniqueFieldKey });
      } catch (error) {
        throw new Error(
          `connector plugin ${definition.plugin}: create() threw: ${(error as Error)?.message ?? error}`,
        );
      }
      return guardPlugin(connector, definition.plugin);
    },
  };
}
