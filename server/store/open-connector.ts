import type { ConnectorRegistry } from '../connectors/index.ts';
import type { Connector } from '../core/connector-port.ts';
import type { ManagedSystemRow } from '../db/schema/index.ts';
import type { SecretBox } from '../secrets.ts';

/** The connector of a stored managed system: its connection settings plus its decrypted secrets. */
export function connectorOpener(
  secrets: SecretBox,
  connectors: ConnectorRegistry,
): (system: ManagedSystemRow) => Connector {
  return (system) =>
    connectors.create({
      type: system.type,
      uniqueFieldKey: system.uniqueFieldKey,
      connection: system.connection,
      secrets: system.encryptedSecrets ? secrets.open(system.encryptedSecrets) : {},
    });
}
