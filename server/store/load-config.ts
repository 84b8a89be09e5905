import { eq } from 'drizzle-orm';
import type { IdmFilter, Situation } from '../core/model.ts';
import type { EngineConfig, SituationRule } from '../core/recon-config.ts';
import type { Database } from '../db/client.ts';
import {
  type ManagedSystemRow,
  managedSystems,
  type ReconConfigRow,
  reconConfigs,
  reconSituations,
} from '../db/schema/index.ts';

export type LoadedConfig = { config: EngineConfig; row: ReconConfigRow; system: ManagedSystemRow };

/** A config, its managed system and its situation table, as the engine sees them; null when it does not exist. */
export async function loadEngineConfig(db: Database, configId: string): Promise<LoadedConfig | null> {
  const [found] = await db.orm
    .select({ row: reconConfigs, system: managedSystems })
    .from(reconConfigs)
    .innerJoin(managedSystems, eq(managedSystems.id, reconConfigs.systemId))
    .where(eq(reconConfigs.id, configId));
  if (!found) return null;
  const { row, system } = found;
  const situationRows = await db.orm
    .select()
    .from(reconSituations)
    .where(eq(reconSituations.configId, configId));
  const situations: Partial<Record<Situation, SituationRule>> = {};
  for (const s of situationRows) {
    situations[s.situation] = {
      response: s.response,
      populationPolicy: s.populationPolicy,
      commandPolicy: s.commandPolicy,
    };
  }
  const mapping = system.outboundMapping;
  const config: EngineConfig = {
    id: row.id,
    objectType: row.objectType,
    system: {
      id: system.id,
      name: system.name,
      type: system.type,
      trusted: system.trusted,
      uniqueFieldKey: system.uniqueFieldKey,
      attributes: system.attributes,
      outboundMapping:
        typeof mapping === 'string' ? mapping : mapping ? (mapping as Record<string, string>) : null,
    },
    sendDoNothingReport: row.sendDoNothingReport,
    targetQueryPolicy: row.targetQueryPolicy,
    targetSearchFilter: row.targetSearchFilter,
    idmQueryPolicy: row.idmQueryPolicy,
    idmSearchFilter: (row.idmSearchFilter ?? null) as IdmFilter | null,
    updatedSince: row.updatedSince?.toISOString() ?? null,
    sourceAttributeName: row.sourceAttributeName,
    idmField: row.idmField,
    idmCustomAttribute: row.idmCustomAttribute,
    matchingPolicy: row.matchingPolicy,
    preProcessorPolicy: row.preProcessorPolicy,
    postProcessorPolicy: row.postProcessorPolicy,
    customProcessorPolicy: row.customProcessorPolicy,
    policyMap: row.policyMap,
    attributeSync: row.attributeSync,
    deletionThreshold: row.deletionThreshold,
    staleDays: row.staleDays,
    entitlementAttribute: row.entitlementAttribute,
    situations,
    sourceGuard: row.sourceGuard ?? null,
  };
  return { config, row, system };
}
