/**
 * What `import … from 'trueup:connector'` gives a connector plugin at run time (the plugin loader
 * maps the name here). Its types are connectors/trueup-connector.d.ts. The server's own zod is
 * handed out so a plugin's settings schema is one the registry can read.
 */

export { z } from 'zod';
export { ConnectorConfigError } from '../core/connector-port.ts';
export { defineConnector } from './define-connector.ts';
