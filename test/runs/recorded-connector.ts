import { eq } from 'drizzle-orm';
import { createConnector } from '../../server/connectors/index.ts';
import type { Connector, SearchRequest } from '../../server/core/connector-port.ts';
import type { PolicyRunner } from '../../server/core/policy-port.ts';
import type { Database } from '../../server/db/client.ts';
import { type ManagedSystemRow, managedSystems, watermarks } from '../../server/db/schema/index.ts';
import { createRunService } from '../../server/services/runs/run-service.ts';

/** What a run asked its connector for, and the keys it got back (the real connector, watched). */
export type ConnectorLog = { searches: SearchRequest[]; read: string[]; reset(): void };

/**
 * A run service whose connectors are the real ones, with stored secrets given in the clear, and
 * whose searches are recorded: tests assert what a run requested and read, not just what it did.
 */
export function recordingRunService(
  db: Database,
  policies: PolicyRunner | null,
  secrets: (system: ManagedSystemRow) => Record<string, string> = () => ({}),
) {
  const log: ConnectorLog = {
    searches: [],
    read: [],
    reset() {
      log.searches = [];
      log.read = [];
    },
  };
  const openConnector = (system: ManagedSystemRow): Connector => {
    const connector = createConnector({
      type: system.type,
      uniqueFieldKey: system.uniqueFieldKey,
      connection: system.connection,
      secrets: secrets(system),
    });
    return {
      ...connector,
      async *search(request) {
        log.searches.push(request);
        for await (const page of connector.search(request)) {
          log.read.push(...page.accounts.map((a) => a.key));
          yield page;
        }
      },
    };
  };
  const service = createRunService({
    db,
    log: { info: () => {}, warn: () => {} },
    policies,
    openConnector,
    retentionDays: 90,
  });
  return { service, log };
}

/** A managed system of any type with one User config, inserted straight into the database. */
export async function insertSystem(
  db: Database,
  values: Omit<typeof managedSystems.$inferInsert, 'id'>,
): Promise<ManagedSystemRow> {
  const [system] = await db.orm.insert(managedSystems).values(values).returning();
  if (!system) throw new Error('system not inserted');
  return system;
}

export async function watermarkOf(db: Database, configId: string): Promise<string | null> {
  const [mark] = await db.orm.select().from(watermarks).where(eq(watermarks.configId, configId));
  return mark?.value ?? null;
}
