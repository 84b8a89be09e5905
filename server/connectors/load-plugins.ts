import { readdir, stat } from 'node:fs/promises';
import { registerHooks } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../config.ts';
import { connectorTypeName } from './define-connector.ts';
import { type ConnectorRegistry, createConnectorRegistry, type RegisteredConnector } from './registry.ts';

/**
 * A plugin that cannot be loaded: the message names the file. A configuration error, so start-up
 * stops with it as one line (exit code 2) rather than a crash.
 */
export class ConnectorPluginError extends ConfigError {
  override name = 'ConnectorPluginError';
}

const sdkUrl = new URL('./sdk.ts', import.meta.url).href;
let hooked = false;

/** Plugins import the SDK as `trueup:connector`, wherever their folder is. */
function resolveSdk() {
  if (hooked) return;
  hooked = true;
  registerHooks({
    resolve: (specifier, context, nextResolve) =>
      specifier === 'trueup:connector'
        ? { url: sdkUrl, shortCircuit: true }
        : nextResolve(specifier, context),
  });
}

const moduleFile = /^(?!.*\.d\.[cm]?ts$)(?!.*\.test\.[cm]?[jt]s$).+\.(ts|mts|js|mjs)$/;

/** The plugin modules of a folder: its `*.ts`/`*.js` files and the `index.ts` of its sub-folders. */
async function pluginFiles(dir: string): Promise<string[]> {
  let entries: Array<{ name: string; isDirectory(): boolean; isFile(): boolean }>;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    throw new ConnectorPluginError(`CONNECTORS_DIR ${dir} cannot be read: ${(error as Error).message}`);
  }
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.isFile() && moduleFile.test(entry.name)) files.push(path.join(dir, entry.name));
    if (entry.isDirectory() && entry.name !== 'node_modules') {
      for (const index of ['index.ts', 'index.js']) {
        const file = path.join(dir, entry.name, index);
        if (
          await stat(file).then(
            (s) => s.isFile(),
            () => false,
          )
        ) {
          files.push(file);
          break;
        }
      }
    }
  }
  return files;
}

/** Checks the default export's shape; the first problem names the field. */
function checkDefinition(file: string, value: unknown): RegisteredConnector {
  const fail = (problem: string): never => {
    throw new ConnectorPluginError(`connector plugin ${file}: ${problem}`);
  };
  if (typeof value !== 'object' || value === null) {
    return fail(
      'has no default export made with defineConnector({ type, description, settings, secretFields, create })',
    );
  }
  const definition = value as Record<string, unknown>;
  const type = connectorTypeName.safeParse(definition.type);
  if (!type.success) return fail(`type ${type.error.issues[0]?.message ?? 'is invalid'}`);
  if (typeof definition.description !== 'string') fail('description must be a string');
  const settings = definition.settings as { safeParse?: unknown } | undefined;
  if (typeof settings?.safeParse !== 'function')
    fail('settings must be a zod schema (import { z } from "trueup:connector")');
  const secrets = definition.secretFields;
  if (!Array.isArray(secrets) || secrets.some((name) => typeof name !== 'string')) {
    fail('secretFields must be a list of setting names');
  }
  if (typeof definition.create !== 'function') fail('create(settings, context) must be a function');
  return { ...(definition as unknown as RegisteredConnector), plugin: file };
}

/**
 * Loads every connector plugin of CONNECTORS_DIR. Plugins are trusted code: they run in the
 * server's process with its rights and network, unlike policies. A module that does not load
 * (syntax error, missing import, a throw at its top level) or exports the wrong thing is a
 * ConnectorPluginError naming the file.
 */
export async function loadConnectorPlugins(dir: string): Promise<RegisteredConnector[]> {
  resolveSdk();
  const loaded: RegisteredConnector[] = [];
  for (const file of await pluginFiles(dir)) {
    let module: { default?: unknown };
    try {
      module = await import(pathToFileURL(file).href);
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new ConnectorPluginError(`connector plugin ${file} does not load: ${message}`);
    }
    loaded.push(checkDefinition(file, module.default));
  }
  return loaded;
}

/** The registry of the built-in types plus the plugins of `dir` (CONNECTORS_DIR), if set. */
export async function openConnectorRegistry(dir: string | undefined): Promise<ConnectorRegistry> {
  const plugins = dir ? await loadConnectorPlugins(dir) : [];
  try {
    return createConnectorRegistry(plugins);
  } catch (error) {
    throw new ConnectorPluginError((error as Error).message);
  }
}
