import { asc, eq, sql } from 'drizzle-orm';
import type { ConnectorType } from '../../../connectors/index.ts';
import { managedSystems } from '../../../db/schema/managed-systems.ts';
import type { Services } from '../../../main.ts';
import { testSystemConnection } from '../../../systems/test-connection.ts';
import { isUniqueViolation } from '../../db-errors.ts';
import {
  findSystem,
  mergeConnection,
  type SystemResponse,
  splitConnection,
  toSystemResponse,
} from '../../routes/systems/system-view.ts';
import { asInvalid, type Invalid, type NotFound } from './outcome.ts';

/** Managed systems for the console; secrets come back masked, never in the clear. */
export type SystemView = SystemResponse;

export type SystemInput = {
  name: string;
  type: ConnectorType;
  trusted: boolean;
  uniqueFieldKey: string;
  connection: Record<string, unknown>;
  attributes: string[];
  outboundMapping: Record<string, string> | string | null;
};

export type SaveSystemOutcome =
  | { outcome: 'saved'; system: SystemView }
  | Invalid
  | NotFound
  | { outcome: 'name_taken'; name: string };

export type ConnectionTest = { ok: boolean; message: string; details?: Record<string, unknown> };

export type LastTest = ConnectionTest & { at: string };

/**
 * The last connection test of each system, as this process saw it. The systems service does not
 * record tests yet; until it does, the dashboard shows the tests made since the server started.
 */
const lastTests = new Map<string, LastTest>();

export function systemsAdapter(services: Services) {
  const { db, secrets } = services;
  return {
    lastTest: (id: string): LastTest | null => lastTests.get(id) ?? null,

    async list(): Promise<SystemView[]> {
      const rows = await db.orm.select().from(managedSystems).orderBy(asc(managedSystems.name));
      return rows.map((row) => toSystemResponse(row, secrets));
    },

    async get(id: string): Promise<SystemView | null> {
      const [row] = await db.orm.select().from(managedSystems).where(eq(managedSystems.id, id)).limit(1);
      return row ? toSystemResponse(row, secrets) : null;
    },

    async create(input: SystemInput): Promise<SaveSystemOutcome> {
      return asInvalid(async () => {
        const split = splitConnection(input.type, input.connection);
        try {
          const [row] = await db.orm
            .insert(managedSystems)
            .values({
              ...input,
              connection: split.connection,
              encryptedSecrets: Object.keys(split.secrets).length > 0 ? secrets.seal(split.secrets) : null,
            })
            .returning();
          return { outcome: 'saved', system: toSystemResponse(row!, secrets) } as const;
        } catch (error) {
          if (isUniqueViolation(error)) return { outcome: 'name_taken', name: input.name } as const;
          throw error;
        }
      });
    },

    /** `connection` is merged over the stored one: a masked secret keeps the stored value. */
    async update(id: string, input: Omit<SystemInput, 'type'>): Promise<SaveSystemOutcome> {
      const [current] = await db.orm.select().from(managedSystems).where(eq(managedSystems.id, id)).limit(1);
      if (!current) return { outcome: 'not_found' };
      return asInvalid(async () => {
        await findSystem(db, id);
        const split = splitConnection(current.type, mergeConnection(current, secrets, input.connection));
        try {
          const [row] = await db.orm
            .update(managedSystems)
            .set({
              ...input,
              connection: split.connection,
              encryptedSecrets: Object.keys(split.secrets).length > 0 ? secrets.seal(split.secrets) : null,
              updatedAt: sql`now()`,
            })
            .where(eq(managedSystems.id, id))
            .returning();
          return { outcome: 'saved', system: toSystemResponse(row!, secrets) } as const;
        } catch (error) {
          if (isUniqueViolation(error)) return { outcome: 'name_taken', name: input.name } as const;
          throw error;
        }
      });
    },

    async test(id: string): Promise<{ outcome: 'tested'; result: ConnectionTest } | NotFound> {
      const tested = await testSystemConnection(db, secrets, id);
      if (tested.outcome === 'tested') lastTests.set(id, { ...tested.result, at: new Date().toISOString() });
      return tested;
    },
  };
}
