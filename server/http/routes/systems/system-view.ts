import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { ConnectorRegistry } from '../../../connectors/index.ts';
import { ConnectorConfigError } from '../../../core/connector-port.ts';
import type { Database } from '../../../db/client.ts';
import { type ManagedSystemRow, managedSystems } from '../../../db/schema/managed-systems.ts';
import { maskedSecret, type SecretBox } from '../../../secrets.ts';
import { ApiError } from '../../errors.ts';

/** A managed system as the API shows it: secret connection fields replaced by the mask. */
export const systemSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  trusted: z.boolean(),
  uniqueFieldKey: z.string(),
  connection: z.record(z.string(), z.unknown()),
  attributes: z.array(z.string()),
  outboundMapping: z.union([z.record(z.string(), z.unknown()), z.string(), z.null()]),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type SystemResponse = z.infer<typeof systemSchema>;

export function toSystemResponse(row: ManagedSystemRow, secrets: SecretBox): SystemResponse {
  const connection: Record<string, unknown> = { ...row.connection };
  const stored = storedSecrets(row, secrets, { tolerant: true });
  for (const name of Object.keys(stored)) connection[name] = maskedSecret;
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    trusted: row.trusted,
    uniqueFieldKey: row.uniqueFieldKey,
    connection,
    attributes: row.attributes,
    outboundMapping: row.outboundMapping ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** The decrypted secrets of a system ({} when it has none). */
export function storedSecrets(
  row: ManagedSystemRow,
  secrets: SecretBox,
  options: { tolerant?: boolean } = {},
): Record<string, string> {
  if (!row.encryptedSecrets) return {};
  try {
    return secrets.open(row.encryptedSecrets);
  } catch (error) {
    // Listing must still work after a SECRET_KEY change; the names of the secrets are unknown then.
    if (options.tolerant) return {};
    throw new ApiError(
      'CONFLICT',
      `the stored secrets of system ${row.id} cannot be decrypted with this SECRET_KEY; send them again`,
      { cause: (error as Error).message },
    );
  }
}

/**
 * Validates a connection with the connector's rules and splits out its secrets. Bad settings
 * become a 400 naming `connection.<field>`; a secret sent as the mask is refused (there is
 * nothing stored for it to stand for).
 */
export function splitConnection(registry: ConnectorRegistry, type: string, input: Record<string, unknown>) {
  for (const name of registry.get(type)?.secretFields ?? []) {
    if (input[name] === maskedSecret) {
      throw new ApiError('VALIDATION_FAILED', `connection.${name}: send the secret itself, not the mask`, [
        { path: `connection.${name}`, message: 'send the secret itself, not the mask' },
      ]);
    }
  }
  try {
    return registry.parseConnection(type, input);
  } catch (error) {
    if (error instanceof ConnectorConfigError) {
      const field = error.field === 'type' ? 'type' : `connection.${error.field}`;
      const message = error.message.slice(error.field.length + 2);
      throw new ApiError('VALIDATION_FAILED', `${field}: ${message}`, [{ path: field, message }]);
    }
    throw error;
  }
}

/**
 * The connection after a change: the stored settings and secrets, overlaid with `patch`, where
 * a masked secret keeps the stored one and `null` removes a field.
 */
export function mergeConnection(
  row: ManagedSystemRow,
  secrets: SecretBox,
  patch: Record<string, unknown>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...row.connection, ...storedSecrets(row, secrets) };
  for (const [name, value] of Object.entries(patch)) {
    if (value === maskedSecret && name in merged) continue;
    if (value === null) delete merged[name];
    else merged[name] = value;
  }
  return merged;
}

export async function findSystem(db: Database, id: string): Promise<ManagedSystemRow> {
  const [row] = await db.orm.select().from(managedSystems).where(eq(managedSystems.id, id)).limit(1);
  if (!row) throw new ApiError('NOT_FOUND', `no managed system with id "${id}"`);
  return row;
}
