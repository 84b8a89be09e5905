import { createHmac, timingSafeEqual } from 'node:crypto';
import { and, asc, desc, eq, inArray, isNull, lte, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Connector, LookupRequest } from '../core/connector-port.ts';
import { lookupAccounts } from '../core/lookup-accounts.ts';
import type { Account, Attributes } from '../core/model.ts';
import { normalizeKey } from '../core/normalize-key.ts';
import type { Database } from '../db/client.ts';
import {
  liveChanges,
  type ManagedSystemRow,
  managedSystems,
  reconConfigs,
  watermarks,
} from '../db/schema/index.ts';
import type { SecretBox } from '../secrets.ts';
import { loadEngineConfig } from '../store/load-config.ts';
import { runRow } from '../store/runs.ts';
import type { RunFinished, RunService } from './runs/types.ts';

/** How many objects one live run takes at most; the rest wait for the next one. */
export const maxLiveRunKeys = 5000;
/** A change whose live runs failed this often is given up (marked done; the failed runs stay in the history). */
export const maxLiveAttempts = 3;

/** docs/api.md "Live changes": the webhook body. */
export const liveChangesBody = z.strictObject({
  changes: z
    .array(
      z.strictObject({
        key: z.string().trim().min(1, 'must not be empty').max(1000),
        op: z.enum(['upsert', 'delete']),
        attributes: z.record(z.string(), z.unknown()).optional(),
      }),
    )
    .min(1, 'send 1 to 1000 changes')
    .max(1000, 'send 1 to 1000 changes'),
});

export type ReceiveOutcome =
  | { outcome: 'accepted'; accepted: number; runIds: string[] }
  | { outcome: 'not_found' }
  | { outcome: 'unauthorized'; message: string }
  | { outcome: 'bad_body'; message: string; details?: unknown }
  | { outcome: 'no_active_config' };

export type LiveChangeService = ReturnType<typeof createLiveChangeService>;

/** `sha256=<hex>` of the raw body, compared in constant time. */
function signatureMatches(secret: string, rawBody: Uint8Array, header: string | null): boolean {
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(header?.trim() ?? '');
  if (!match) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(match[1] as string, 'hex'));
}

/** Equal attributes whatever their key order (jsonb does not keep it). */
function sameAttributes(a: Attributes, b: Attributes): boolean {
  const canonical = (x: Attributes) => JSON.stringify(Object.entries(x).sort(([k], [l]) => (k < l ? -1 : 1)));
  return canonical(a) === canonical(b);
}

/**
 * Live changes (docs/api.md "Live changes"): stored durably when they arrive, one row per active config
 * of the system, then processed by live runs of the same engine. A config has one run at a time,
 * so changes arriving during a run wait in the table; `settle` (after every run) starts the next.
 */
/** The account each key's latest stored change gives (null: deleted); absent keys have none. */
async function accountsOfChanges(
  db: Database,
  configId: string,
  keys: string[],
): Promise<Map<string, Account | null>> {
  const answer = new Map<string, Account | null>();
  if (keys.length === 0) return answer;
  const rows = await db.orm
    .selectDistinctOn([liveChanges.objectKey])
    .from(liveChanges)
    .where(and(eq(liveChanges.configId, configId), inArray(liveChanges.objectKey, keys)))
    .orderBy(liveChanges.objectKey, desc(liveChanges.id));
  for (const row of rows) {
    if (row.op === 'delete') answer.set(row.objectKey, null);
    else if (row.attributes) answer.set(row.objectKey, { key: row.objectKey, attributes: row.attributes });
  }
  return answer;
}

export function createLiveChangeService({
  db,
  secrets,
  runs: runService,
  openConnector,
}: {
  db: Database;
  secrets: SecretBox;
  runs: RunService;
  /** For polling: the connector of a system (as runs open it). */
  openConnector: (system: ManagedSystemRow) => Connector;
}) {
  // Live runs read their objects from the stored changes: latest per key wins, so each object's
  // changes apply in order; keys with no stored change are asked of the system.
  // The real connector underneath (its other methods called on it), with `lookup` answered here.
  runService.decorateConnector('live', (configId, real) =>
    Object.assign(Object.create(real) as Connector, {
      async lookup(keys: string[], request: LookupRequest) {
        const changed = await accountsOfChanges(db, configId, keys);
        const rest = keys.filter((k) => !changed.has(k));
        const found = [...changed.values()].filter((a): a is Account => a !== null);
        const fromSystem = await lookupAccounts(real, rest, request);
        const seen = new Set(found.map((a) => normalizeKey(a.key)));
        return [...found, ...fromSystem.filter((a) => !seen.has(normalizeKey(a.key)))];
      },
    }),
  );
  async function activeConfigIds(systemId: string): Promise<string[]> {
    const rows = await db.orm
      .select({ id: reconConfigs.id })
      .from(reconConfigs)
      .where(and(eq(reconConfigs.systemId, systemId), eq(reconConfigs.status, 'active')));
    return rows.map((r) => r.id);
  }

  // Once closing, no new live run starts (the changes wait in the table for the next start).
  let stopped = false;

  /** Starts a live run over the oldest pending changes of a config; null when none or one is going. */
  async function drain(configId: string): Promise<string | null> {
    if (stopped) return null;
    const pending = await db.orm
      .select({ key: liveChanges.objectKey })
      .from(liveChanges)
      .where(and(eq(liveChanges.configId, configId), isNull(liveChanges.doneAt)))
      .groupBy(liveChanges.objectKey)
      .orderBy(asc(sql`min(${liveChanges.id})`))
      .limit(maxLiveRunKeys);
    if (pending.length === 0) return null;
    const started = await runService.start({
      configId,
      dryRun: false,
      mode: 'live',
      trigger: 'live',
      keys: pending.map((p) => p.key),
      startedBy: 'live',
    });
    switch (started.outcome) {
      case 'started':
        return started.runId;
      // The run going on drains again when it ends (settle).
      case 'already_running':
        return null;
      // Nothing will process them: they are done (a config made active again starts afresh).
      case 'config_inactive':
      case 'config_not_found':
        await db.orm
          .update(liveChanges)
          .set({ doneAt: new Date() })
          .where(and(eq(liveChanges.configId, configId), isNull(liveChanges.doneAt)));
        return null;
    }
  }

  return {
    drain,
    stop() {
      stopped = true;
    },

    /** Stores the changes of a system (rows per active config) and starts their live runs. */
    async store(
      systemId: string,
      changes: Array<{ key: string; op: 'upsert' | 'delete'; attributes?: Attributes | null }>,
      source: 'webhook' | 'poll',
    ): Promise<{ stored: number; configIds: string[] }> {
      const configIds = await activeConfigIds(systemId);
      if (configIds.length === 0 || changes.length === 0) return { stored: 0, configIds };
      await db.orm.insert(liveChanges).values(
        configIds.flatMap((configId) =>
          changes.map((c) => ({
            configId,
            objectKey: c.key,
            op: c.op,
            attributes: c.op === 'upsert' ? (c.attributes ?? null) : null,
            source,
          })),
        ),
      );
      return { stored: changes.length, configIds };
    },

    /** The webhook: signature first (over the raw bytes), then the body, then store and drain. */
    async receive(systemId: string, rawBody: Uint8Array, signature: string | null): Promise<ReceiveOutcome> {
      const [system] = await db.orm
        .select({ sealed: managedSystems.encryptedWebhookSecret })
        .from(managedSystems)
        .where(eq(managedSystems.id, systemId));
      if (!system) return { outcome: 'not_found' };
      if (!system.sealed) return { outcome: 'unauthorized', message: 'this system has no webhook secret' };
      let secret: string | undefined;
      try {
        secret = secrets.open(system.sealed).webhookSecret;
      } catch {
        secret = undefined;
      }
      if (!secret) return { outcome: 'unauthorized', message: 'the webhook secret cannot be read' };
      if (!signatureMatches(secret, rawBody, signature))
        return { outcome: 'unauthorized', message: 'missing or bad X-Trueup-Signature' };
      let json: unknown;
      try {
        json = JSON.parse(new TextDecoder().decode(rawBody));
      } catch (error) {
        return { outcome: 'bad_body', message: `the body is not valid JSON: ${(error as Error).message}` };
      }
      const parsed = liveChangesBody.safeParse(json);
      if (!parsed.success) {
        const first = parsed.error.issues[0];
        return {
          outcome: 'bad_body',
          message: `${first?.path.join('.') || 'body'}: ${first?.message ?? 'invalid'}`,
          details: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
        };
      }
      const changes = parsed.data.changes.map((c) => ({
        key: c.key,
        op: c.op,
        attributes: (c.attributes ?? null) as Attributes | null,
      }));
      const { configIds } = await this.store(systemId, changes, 'webhook');
      if (configIds.length === 0) return { outcome: 'no_active_config' };
      const runIds: string[] = [];
      for (const configId of configIds) {
        const runId = await drain(configId);
        if (runId) runIds.push(runId);
      }
      return { outcome: 'accepted', accepted: changes.length, runIds };
    },

    /**
     * After every run of a config: a live run that succeeded settles the changes it read (those
     * that arrived before it started); a failed one counts an attempt. Then the next waiting
     * changes of the config get their run.
     */
    async settle(finished: RunFinished): Promise<void> {
      if (finished.trigger === 'live') {
        const run = await runRow(db, finished.runId);
        const keys = run?.keys ?? [];
        if (run?.startedAt && keys.length > 0) {
          const read = and(
            eq(liveChanges.configId, finished.configId),
            isNull(liveChanges.doneAt),
            inArray(liveChanges.objectKey, keys),
            lte(liveChanges.createdAt, run.startedAt),
          );
          if (finished.outcome.outcome === 'succeeded') {
            await db.orm.update(liveChanges).set({ doneAt: new Date() }).where(read);
          } else {
            await db.orm
              .update(liveChanges)
              .set({
                attempts: sql`${liveChanges.attempts} + 1`,
                doneAt: sql`case when ${liveChanges.attempts} + 1 >= ${maxLiveAttempts} then now() end`,
              })
              .where(read);
          }
        }
      }
      await drain(finished.configId);
    },

    /** The systems to poll, with their period (`liveChanges.pollSeconds`). */
    async polledSystems(): Promise<Array<{ id: string; pollSeconds: number }>> {
      const rows = await db.orm
        .select({ id: managedSystems.id, live: managedSystems.liveChanges })
        .from(managedSystems);
      return rows.flatMap((r) =>
        r.live?.pollSeconds ? [{ id: r.id, pollSeconds: r.live.pollSeconds }] : [],
      );
    },

    /**
     * Polling: asks the connector, per active config, for the accounts changed since the config's
     * watermark, and in one transaction stores them as upserts and advances the watermark (a
     * crash leaves both or neither). The watermark is inclusive (`>=`), so an account whose
     * latest stored change is identical is not stored again. Then drains the configs.
     */
    async poll(systemId: string): Promise<{ stored: number; runIds: string[] }> {
      let stored = 0;
      const runIds: string[] = [];
      for (const configId of await activeConfigIds(systemId)) {
        const loaded = await loadEngineConfig(db, configId);
        if (!loaded) continue;
        const [mark] = await db.orm.select().from(watermarks).where(eq(watermarks.configId, configId));
        const connector = openConnector(loaded.system);
        const accounts: Account[] = [];
        let watermark = mark?.value ?? null;
        try {
          const request = {
            watermark: mark?.value ?? loaded.config.updatedSince ?? null,
            attributes: loaded.config.policyMap.length > 0 ? loaded.config.policyMap : null,
            searchFilter: loaded.config.targetSearchFilter,
          };
          for await (const page of connector.search(request)) {
            accounts.push(...page.accounts);
            if (page.watermark) watermark = page.watermark;
          }
        } finally {
          await connector.close().catch(() => {});
        }
        const latest = await accountsOfChanges(
          db,
          configId,
          accounts.map((a) => a.key),
        );
        const fresh = accounts.filter((a) => {
          const stored = latest.get(a.key);
          return !stored || sameAttributes(stored.attributes, a.attributes) === false;
        });
        await db.orm.transaction(async (tx) => {
          if (fresh.length > 0) {
            await tx.insert(liveChanges).values(
              fresh.map((a) => ({
                configId,
                objectKey: a.key,
                op: 'upsert' as const,
                attributes: a.attributes,
                source: 'poll' as const,
              })),
            );
          }
          if (watermark && watermark !== mark?.value) {
            await tx
              .insert(watermarks)
              .values({ configId, value: watermark })
              .onConflictDoUpdate({
                target: watermarks.configId,
                set: { value: watermark, updatedAt: new Date() },
              });
          }
        });
        stored += fresh.length;
        const runId = await drain(configId);
        if (runId) runIds.push(runId);
      }
      return { stored, runIds };
    },

    /** The configs with changes waiting (for the sweep). */
    async pendingConfigIds(): Promise<string[]> {
      const rows = await db.orm
        .selectDistinct({ configId: liveChanges.configId })
        .from(liveChanges)
        .where(isNull(liveChanges.doneAt));
      return rows.map((r) => r.configId);
    },
  };
}
