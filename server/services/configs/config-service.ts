import { asc, eq, sql } from 'drizzle-orm';
import type { IdmFilter, Situation } from '../../core/model.ts';
import { situations } from '../../core/model.ts';
import type { Database } from '../../db/client.ts';
import { managedSystems } from '../../db/schema/managed-systems.ts';
import { reconConfigs } from '../../db/schema/recon-configs.ts';
import { reconSituations } from '../../db/schema/recon-situations.ts';
import { IdmFilterError, idmFilterToSql } from '../../store/idm-filter-sql.ts';
import { type Invalid, invalid, type NotFound } from '../outcomes.ts';
import type { ConfigInput, CreateConfigInput } from './config-input.ts';
import { loadConfigViews, type ReconConfigView } from './config-view.ts';
import { entitlementProblem } from './entitlement-check.ts';

export type CreateConfigOutcome =
  | { outcome: 'created'; config: ReconConfigView }
  | { outcome: 'system_not_found' }
  | Invalid;
export type UpdateConfigOutcome = { outcome: 'updated'; config: ReconConfigView } | NotFound | Invalid;

/** Rules that span fields, checked on the config as it will be stored. */
function checkConfig(merged: {
  idmField?: string | null;
  idmCustomAttribute?: string | null;
  idmSearchFilter?: unknown;
}): Invalid | null {
  if (merged.idmSearchFilter) {
    try {
      // The engine turns this filter into SQL at run time; a filter it cannot read is refused now.
      idmFilterToSql(merged.idmSearchFilter as IdmFilter, 'idmSearchFilter');
    } catch (error) {
      if (!(error instanceof IdmFilterError)) throw error;
      return invalid('idmSearchFilter', error.message.replace(/^IDM filter at /, ''));
    }
  }
  if (merged.idmField && merged.idmCustomAttribute) {
    return invalid('idmCustomAttribute', 'give idmField or idmCustomAttribute, not both');
  }
  return null;
}

/** The fields that decide how a run reads memberships (entitlement-check.ts). */
const membershipFields = ['entitlementAttribute', 'objectType', 'policyMap'] as const satisfies ReadonlyArray<
  keyof ConfigInput
>;

/** What changed about a config, for listeners that keep something in step (the scheduler). */
export type ConfigChange = { configId: string; change: 'created' | 'updated' | 'deleted' };

/** Reconciliation configs: create, read, change, remove (save runs in one transaction). */
export function createConfigService({
  db,
  log,
}: {
  db: Database;
  log: { warn(obj: object, msg: string): void };
}) {
  const listeners = new Set<(change: ConfigChange) => void | Promise<void>>();
  async function tell(change: ConfigChange) {
    for (const listener of listeners) {
      try {
        await listener(change);
      } catch (error) {
        log.warn({ ...change, error: String(error) }, 'a config-change listener failed');
      }
    }
  }

  async function systemOf(id: string) {
    const [system] = await db.orm
      .select({ name: managedSystems.name, type: managedSystems.type, connection: managedSystems.connection })
      .from(managedSystems)
      .where(eq(managedSystems.id, id));
    return system;
  }

  async function find(id: string): Promise<ReconConfigView | undefined> {
    const rows = await db.orm.select().from(reconConfigs).where(eq(reconConfigs.id, id)).limit(1);
    return (await loadConfigViews(db, rows))[0];
  }

  /**
   * Writes a config and its situation rows in one transaction. On create every situation gets a
   * row (DO_NOTHING unless given); on update only the given situations change. Null when the
   * config to update is gone.
   */
  async function save(
    target: { create: { systemId: string } } | { update: { id: string } },
    input: ConfigInput,
  ): Promise<string | null> {
    const { situations: rules, updatedSince, ...fields } = input;
    const values = {
      ...fields,
      ...(updatedSince === undefined
        ? {}
        : { updatedSince: updatedSince === null ? null : new Date(updatedSince) }),
    };
    return db.orm.transaction(async (tx) => {
      let id: string;
      if ('create' in target) {
        const [row] = await tx
          .insert(reconConfigs)
          .values({ ...values, objectType: values.objectType!, systemId: target.create.systemId })
          .returning({ id: reconConfigs.id });
        id = row!.id;
      } else {
        id = target.update.id;
        const updated = await tx
          .update(reconConfigs)
          .set({ ...values, updatedAt: sql`now()` })
          .where(eq(reconConfigs.id, id))
          .returning({ id: reconConfigs.id });
        if (updated.length === 0) return null;
      }
      const names: readonly Situation[] =
        'create' in target ? situations : situations.filter((s) => rules?.[s]);
      for (const situation of names) {
        const rule = rules?.[situation];
        const row = {
          response: rule?.response ?? 'DO_NOTHING',
          populationPolicy: rule?.populationPolicy ?? null,
          commandPolicy: rule?.commandPolicy ?? null,
        } as const;
        await tx
          .insert(reconSituations)
          .values({ configId: id, situation, ...row })
          .onConflictDoUpdate({ target: [reconSituations.configId, reconSituations.situation], set: row });
      }
      return id;
    });
  }

  return {
    /**
     * Calls `listener` after each config this process creates, changes or removes (a listener's
     * failure is logged and never undoes the change). Returns a function that removes it.
     */
    onConfigChanged(listener: (change: ConfigChange) => void | Promise<void>): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    async list(filter: { systemId?: string } = {}): Promise<ReconConfigView[]> {
      const rows = await db.orm
        .select()
        .from(reconConfigs)
        .where(filter.systemId ? eq(reconConfigs.systemId, filter.systemId) : undefined)
        .orderBy(asc(reconConfigs.createdAt), asc(reconConfigs.id));
      return loadConfigViews(db, rows);
    },

    async get(id: string): Promise<{ outcome: 'found'; config: ReconConfigView } | NotFound> {
      const config = await find(id);
      return config ? { outcome: 'found', config } : { outcome: 'not_found' };
    },

    async create(systemId: string, input: CreateConfigInput): Promise<CreateConfigOutcome> {
      const problem = checkConfig(input);
      if (problem) return problem;
      const system = await systemOf(systemId);
      if (!system) return { outcome: 'system_not_found' };
      const entitlements = entitlementProblem(input, system);
      if (entitlements) return entitlements;
      const id = await save({ create: { systemId } }, input);
      const config = id ? await find(id) : undefined;
      if (!config) throw new Error(`config ${id} vanished right after it was created`);
      await tell({ configId: config.id, change: 'created' });
      return { outcome: 'created', config };
    },

    async update(id: string, input: ConfigInput): Promise<UpdateConfigOutcome> {
      const current = await find(id);
      if (!current) return { outcome: 'not_found' };
      const merged = { ...current, ...input };
      const problem = checkConfig(merged);
      if (problem) return problem;
      // Only a change that touches how memberships are read is checked against the system: a
      // config saved before a rule existed can still be switched off.
      if (membershipFields.some((field) => input[field] !== undefined)) {
        const system = await systemOf(current.systemId);
        const entitlements = system && entitlementProblem(merged, system);
        if (entitlements) return entitlements;
      }
      const saved = await save({ update: { id } }, input);
      const config = saved ? await find(id) : undefined;
      if (!config) return { outcome: 'not_found' };
      await tell({ configId: id, change: 'updated' });
      return { outcome: 'updated', config };
    },

    /** Removes a config; its runs stay in the history. */
    async remove(id: string): Promise<{ outcome: 'deleted' } | NotFound> {
      const deleted = await db.orm
        .delete(reconConfigs)
        .where(eq(reconConfigs.id, id))
        .returning({ id: reconConfigs.id });
      if (deleted.length === 0) return { outcome: 'not_found' };
      await tell({ configId: id, change: 'deleted' });
      return { outcome: 'deleted' };
    },
  };
}

export type ConfigService = ReturnType<typeof createConfigService>;
