import type { ConnectorRegistry } from '../../connectors/index.ts';
import { ConnectorConfigError } from '../../core/connector-port.ts';
import type { ManagedSystemRow } from '../../db/schema/managed-systems.ts';
import { maskedSecret, type SecretBox } from '../../secrets.ts';
import { type Invalid, invalid } from '../outcomes.ts';

/** A managed system as every surface shows it: secret connection fields replaced by the mask. */
export type SystemView = {
  id: string;
  name: string;
  type: string;
  trusted: boolean;
  uniqueFieldKey: string;
  connection: Record<string, unknown>;
  attributes: string[];
  outboundMapping: Record<string, unknown> | string | null;
  /** The webhook secret is never shown: "********" when one is set. */
  liveChanges: { pollSeconds: number | null; webhookSecret: string | null } | null;
  /** The last connection test: its answer and when it was made (null: never tested). */
  lastTest: { ok: boolean; message: string; at: string } | null;
  createdAt: string;
  updatedAt: string;
};

export function toSystemView(row: ManagedSystemRow, secrets: SecretBox): SystemView {
  const connection: Record<string, unknown> = { ...row.connection };
  const stored = storedSecrets(row, secrets);
  // Listing must still work after a SECRET_KEY change; the names of the secrets are unknown then.
  for (const name of Object.keys(stored ?? {})) connection[name] = maskedSecret;
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    trusted: row.trusted,
    uniqueFieldKey: row.uniqueFieldKey,
    connection,
    attributes: row.attributes,
    outboundMapping: row.outboundMapping ?? null,
    liveChanges:
      row.liveChanges || row.encryptedWebhookSecret
        ? {
            pollSeconds: row.liveChanges?.pollSeconds ?? null,
            webhookSecret: row.encryptedWebhookSecret ? maskedSecret : null,
          }
        : null,
    lastTest: row.lastTest && row.lastTestAt ? { ...row.lastTest, at: row.lastTestAt.toISOString() } : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** The decrypted secrets of a system ({} when it has none), or null when SECRET_KEY cannot open them. */
export function storedSecrets(row: ManagedSystemRow, secrets: SecretBox): Record<string, string> | null {
  if (!row.encryptedSecrets) return {};
  try {
    return secrets.open(row.encryptedSecrets);
  } catch {
    return null;
  }
}

export type SplitConnection = {
  outcome: 'split';
  connection: Record<string, unknown>;
  secrets: Record<string, string>;
};

/**
 * Validates a connection with the connector's rules and splits out its secrets. Bad settings are
 * `invalid` at `connection.<field>`; a secret sent as the mask is refused (there is nothing stored
 * for it to stand for).
 */
export function splitConnection(
  registry: ConnectorRegistry,
  type: string,
  input: Record<string, unknown>,
): SplitConnection | Invalid {
  for (const name of registry.get(type)?.secretFields ?? []) {
    if (input[name] === maskedSecret) {
      return invalid(`connection.${name}`, 'send the secret itself, not the mask');
    }
  }
  try {
    return { outcome: 'split', ...registry.parseConnection(type, input) };
  } catch (error) {
    if (error instanceof ConnectorConfigError) {
      const field = error.field === 'type' ? 'type' : `connection.${error.field}`;
      return invalid(field, error.message.slice(error.field.length + 2));
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
  stored: Record<string, string>,
  patch: Record<string, unknown>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...row.connection, ...stored };
  for (const [name, value] of Object.entries(patch)) {
    if (value === maskedSecret && name in merged) continue;
    if (value === null) delete merged[name];
    else merged[name] = value;
  }
  return merged;
}
