import type { z } from 'zod';
import { ConnectorConfigError } from '../core/connector-port.ts';

/**
 * Validates a connection object with a connector's zod schema and turns the first problem into a
 * ConnectorConfigError naming the field (`ssl.ca`, `disable.attribute`), so the API can answer 400
 * with the field at fault. Values are never echoed: a secret may be among them.
 */
export function parseSettings<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw new ConnectorConfigError('connection', 'is invalid');
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    throw new ConnectorConfigError([...path, issue.keys[0]].join('.'), 'is not a setting of this connector');
  }
  throw new ConnectorConfigError(path.length > 0 ? path.join('.') : 'connection', issue.message);
}
