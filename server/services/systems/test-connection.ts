import { eq, sql } from 'drizzle-orm';
import type { ConnectorRegistry } from '../../connectors/index.ts';
import type { ConnectionTest, Connector } from '../../core/connector-port.ts';
import type { Database } from '../../db/client.ts';
import { managedSystems } from '../../db/schema/managed-systems.ts';
import { maskedSecret, type SecretBox } from '../../secrets.ts';

export type ConnectionTestOutcome = { outcome: 'tested'; result: ConnectionTest } | { outcome: 'not_found' };

/** A driver may echo a password in its message; never pass one on. */
function scrub(text: string, secrets: Record<string, string>): string {
  let clean = text;
  for (const value of Object.values(secrets)) {
    if (value.length >= 3) clean = clean.split(value).join(maskedSecret);
  }
  return clean;
}

/**
 * Tests a stored system's connection with its real connector (always closed afterwards) and keeps
 * the answer with its time on the system. A failure to connect is an answer (`ok: false`), not an
 * exception.
 */
export async function testSystemConnection(
  db: Database,
  box: SecretBox,
  connectors: ConnectorRegistry,
  systemId: string,
): Promise<ConnectionTestOutcome> {
  const tested = await tryConnection(db, box, connectors, systemId);
  if (tested.outcome === 'tested') {
    const { ok, message } = tested.result;
    await db.orm
      .update(managedSystems)
      .set({ lastTest: { ok, message }, lastTestAt: sql`now()` })
      .where(eq(managedSystems.id, systemId));
  }
  return tested;
}

async function tryConnection(
  db: Database,
  box: SecretBox,
  connectors: ConnectorRegistry,
  systemId: string,
): Promise<ConnectionTestOutcome> {
  const [row] = await db.orm.select().from(managedSystems).where(eq(managedSystems.id, systemId)).limit(1);
  if (!row) return { outcome: 'not_found' };
  let secrets: Record<string, string> = {};
  let connector: Connector | undefined;
  try {
    secrets = row.encryptedSecrets ? box.open(row.encryptedSecrets) : {};
    connector = connectors.create({
      type: row.type,
      uniqueFieldKey: row.uniqueFieldKey,
      connection: row.connection,
      secrets,
    });
    const result = await connector.test();
    return {
      outcome: 'tested',
      result: { ...result, message: scrub(result.message, secrets) },
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { outcome: 'tested', result: { ok: false, message: scrub(message, secrets) } };
  } finally {
    await connector?.close().catch(() => {});
  }
}
