import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { asc, eq, sql } from 'drizzle-orm';
import type { ConnectorRegistry } from '../../connectors/index.ts';
import type { Database } from '../../db/client.ts';
import { isUniqueViolation } from '../../db/pg-errors.ts';
import { type ManagedSystemRow, managedSystems } from '../../db/schema/managed-systems.ts';
import { maskedSecret, type SecretBox } from '../../secrets.ts';
import type { Invalid, NotFound } from '../outcomes.ts';
import {
  mergeConnection,
  type SystemView,
  splitConnection,
  storedSecrets,
  toSystemView,
} from './system-view.ts';
import { type ConnectionTestOutcome, testSystemConnection } from './test-connection.ts';

export type OutboundMapping = Record<string, string> | string | null;

export type CreateSystemInput = {
  name: string;
  /** A type of the connector registry: csv, sql, ldap, scim or a plugin's. */
  type: string;
  trusted: boolean;
  uniqueFieldKey: string;
  connection: Record<string, unknown>;
  attributes: string[];
  outboundMapping: OutboundMapping;
  /** docs/api.md "Live changes": the webhook's secret and the polling period; null turns both off. */
  liveChanges?: LiveChangesInput | null;
};

export type LiveChangesInput = { webhookSecret?: string; pollSeconds?: number };

/** A partial change; `connection` is merged over the stored one (see `mergeConnection`). */
export type UpdateSystemInput = Partial<Omit<CreateSystemInput, 'type'>>;

type NameTaken = { outcome: 'name_taken'; name: string };
/** The stored secrets cannot be opened with this SECRET_KEY: the caller must send them again. */
type SecretsUnreadable = { outcome: 'secrets_unreadable' };

export type CreateSystemOutcome = { outcome: 'created'; system: SystemView } | Invalid | NameTaken;
export type UpdateSystemOutcome =
  | { outcome: 'updated'; system: SystemView }
  | NotFound
  | Invalid
  | NameTaken
  | SecretsUnreadable;
export type StoreFileOutcome =
  | { outcome: 'stored'; system: SystemView }
  | NotFound
  | { outcome: 'not_csv'; name: string; type: string }
  | Invalid;

export type SystemServiceDeps = {
  db: Database;
  secrets: SecretBox;
  connectors: ConnectorRegistry;
  dataDir: string;
};

/** Managed systems: create, read, change, remove, test their connection, take a CSV system's file. */
export function createSystemService({ db, secrets, connectors, dataDir }: SystemServiceDeps) {
  const view = (row: ManagedSystemRow) => toSystemView(row, secrets);
  const sealed = (values: Record<string, string>) =>
    Object.keys(values).length > 0 ? secrets.seal(values) : null;

  /** The columns of `liveChanges`; a secret sent as the mask keeps the stored one. */
  function liveColumns(input: LiveChangesInput | null, row?: ManagedSystemRow) {
    if (!input) return { liveChanges: null, encryptedWebhookSecret: null };
    const keep = input.webhookSecret === maskedSecret ? (row?.encryptedWebhookSecret ?? null) : null;
    return {
      liveChanges: { pollSeconds: input.pollSeconds ?? null },
      encryptedWebhookSecret:
        input.webhookSecret && input.webhookSecret !== maskedSecret
          ? secrets.seal({ webhookSecret: input.webhookSecret })
          : keep,
    };
  }

  async function findRow(id: string): Promise<ManagedSystemRow | undefined> {
    const [row] = await db.orm.select().from(managedSystems).where(eq(managedSystems.id, id)).limit(1);
    return row;
  }

  async function write(id: string, changes: Partial<typeof managedSystems.$inferInsert>) {
    const [updated] = await db.orm
      .update(managedSystems)
      .set({ ...changes, updatedAt: sql`now()` })
      .where(eq(managedSystems.id, id))
      .returning();
    return updated;
  }

  return {
    async list(): Promise<SystemView[]> {
      const rows = await db.orm.select().from(managedSystems).orderBy(asc(managedSystems.name));
      return rows.map(view);
    },

    async get(id: string): Promise<{ outcome: 'found'; system: SystemView } | NotFound> {
      const row = await findRow(id);
      return row ? { outcome: 'found', system: view(row) } : { outcome: 'not_found' };
    },

    async create(input: CreateSystemInput): Promise<CreateSystemOutcome> {
      const split = splitConnection(connectors, input.type, input.connection);
      if (split.outcome === 'invalid') return split;
      try {
        const [row] = await db.orm
          .insert(managedSystems)
          .values({
            name: input.name,
            type: input.type,
            trusted: input.trusted,
            uniqueFieldKey: input.uniqueFieldKey,
            connection: split.connection,
            encryptedSecrets: sealed(split.secrets),
            attributes: input.attributes,
            outboundMapping: input.outboundMapping,
            ...liveColumns(input.liveChanges ?? null),
          })
          .returning();
        return { outcome: 'created', system: view(row!) };
      } catch (error) {
        if (isUniqueViolation(error)) return { outcome: 'name_taken', name: input.name };
        throw error;
      }
    },

    async update(id: string, input: UpdateSystemInput): Promise<UpdateSystemOutcome> {
      const row = await findRow(id);
      if (!row) return { outcome: 'not_found' };
      const { connection: patch, liveChanges: live, ...rest } = input;
      const changes: Partial<typeof managedSystems.$inferInsert> = { ...rest };
      if (live !== undefined) Object.assign(changes, liveColumns(live, row));
      if (patch) {
        const stored = storedSecrets(row, secrets);
        if (!stored) return { outcome: 'secrets_unreadable' };
        const split = splitConnection(connectors, row.type, mergeConnection(row, stored, patch));
        if (split.outcome === 'invalid') return split;
        changes.connection = split.connection;
        changes.encryptedSecrets = sealed(split.secrets);
      }
      try {
        const updated = await write(id, changes);
        return updated ? { outcome: 'updated', system: view(updated) } : { outcome: 'not_found' };
      } catch (error) {
        if (isUniqueViolation(error)) return { outcome: 'name_taken', name: input.name ?? row.name };
        throw error;
      }
    },

    /** Removes a system with its recon configs and links; its runs stay in the history. */
    async remove(id: string): Promise<{ outcome: 'deleted' } | NotFound> {
      const deleted = await db.orm
        .delete(managedSystems)
        .where(eq(managedSystems.id, id))
        .returning({ id: managedSystems.id });
      return deleted.length > 0 ? { outcome: 'deleted' } : { outcome: 'not_found' };
    },

    test(id: string): Promise<ConnectionTestOutcome> {
      return testSystemConnection(db, secrets, connectors, id);
    },

    /**
     * Stores a CSV system's file under DATA_DIR/uploads/ and points the system at it. The file is
     * streamed to a temporary name and renamed into place, so a run reading the old file keeps
     * reading it whole. `file` is read only once the system is known to take a file.
     */
    async storeFile(id: string, file: () => Promise<ReadableStream<Uint8Array>>): Promise<StoreFileOutcome> {
      const row = await findRow(id);
      if (!row) return { outcome: 'not_found' };
      if (row.type !== 'csv') return { outcome: 'not_csv', name: row.name, type: row.type };
      const dir = path.join(dataDir, 'uploads');
      await mkdir(dir, { recursive: true });
      const target = path.join(dir, `${row.id}.csv`);
      const temporary = `${target}.${randomBytes(6).toString('hex')}.part`;
      const stream = await file();
      try {
        await pipeline(
          Readable.fromWeb(stream as WebReadableStream<Uint8Array>),
          createWriteStream(temporary),
        );
        await rename(temporary, target);
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
      const split = splitConnection(connectors, 'csv', mergeConnection(row, {}, { path: target }));
      if (split.outcome === 'invalid') return split;
      const updated = await write(id, { connection: split.connection });
      return updated ? { outcome: 'stored', system: view(updated) } : { outcome: 'not_found' };
    },
  };
}

export type SystemService = ReturnType<typeof createSystemService>;
