import type { IdmFilter, IdmObject, ObjectType, Response, RunSystem, Situation } from './model.ts';
import type { SourceGuard } from './source-guard.ts';

/**
 * A reconciliation config as the engine sees it: plain data, loaded by the store. Field names
 * follow docs/api.md's reconciliation config.
 */
export type SyncDirection = 'toIdm' | 'toSystem' | 'both' | 'none';
export type AttributeSyncRule = { direction: SyncDirection; confidence?: number };
export type AttributeSync = Record<string, AttributeSyncRule>;
export type DeletionThreshold = { count?: number; percent?: number };
export type SituationRule = {
  response: Response;
  populationPolicy?: string | null;
  commandPolicy?: string | null;
};

export type EngineSystem = RunSystem & {
  /** Attributes the system holds; an account created from the IDM gets these (when no outbound mapping says otherwise). */
  attributes: string[];
  /** Account attribute → IDM attribute, or the path of an outbound mapping policy, or null (copy by name). */
  outboundMapping: Record<string, string> | string | null;
};

export type EngineConfig = {
  id: string;
  objectType: ObjectType;
  system: EngineSystem;
  sendDoNothingReport: boolean;
  targetQueryPolicy: string | null;
  targetSearchFilter: string | null;
  idmQueryPolicy: string | null;
  idmSearchFilter: IdmFilter | null;
  updatedSince: string | null;
  sourceAttributeName: string | null;
  idmField: string | null;
  idmCustomAttribute: string | null;
  matchingPolicy: string | null;
  preProcessorPolicy: string | null;
  postProcessorPolicy: string | null;
  customProcessorPolicy: string | null;
  policyMap: string[];
  attributeSync: AttributeSync;
  deletionThreshold: DeletionThreshold;
  staleDays: number;
  /** The account attribute listing the account's memberships (group keys on the same system), if any. */
  entitlementAttribute: string | null;
  situations: Partial<Record<Situation, SituationRule>>;
  /** docs/api.md "Runs"; null or absent: off. */
  sourceGuard?: SourceGuard | null;
};

/** Which system set an IDM attribute, and how sure it was (0–100). */
export type AttributeSource = { systemId: string; confidence: number };
export type AttributeSources = Record<string, AttributeSource>;

/** An IDM object with the provenance of its attributes, as loaded for a run. */
export type IdmEntry = {
  object: IdmObject;
  sources: AttributeSources;
  version?: number;
  /**
   * A User config with an entitlement attribute: what the IDM holds from this system of the
   * user's groups (server/store/entitlement-lists.ts), compared with what the account lists.
   */
  entitlements?: string[];
};

export type LinkStatus = 'active' | 'stale' | 'tombstone';

/** A link row of this config's system and object type. */
export type LinkRow = {
  accountKey: string;
  idmObjectId: string;
  status: LinkStatus;
  staleSince: string | null;
};

/** A link with its IDM object; `idm` is null when the IDM object row is gone. */
export type LinkEntry = LinkRow & { idm: IdmEntry | null };

/** The IDM column names a config may name in `idmField`, as the engine's attribute names. */
const idmFieldAliases: Record<string, string> = { employee_id: 'employeeId' };

/** The IDM attribute the recon key compares with, or null when the config has no recon key. */
export function reconKeyIdmAttribute(
  config: Pick<EngineConfig, 'sourceAttributeName' | 'idmField' | 'idmCustomAttribute'>,
): string | null {
  if (!config.sourceAttributeName) return null;
  const field = config.idmField ?? config.idmCustomAttribute;
  if (!field) return null;
  return idmFieldAliases[field] ?? field;
}

/**
 * A Group, Role or Organization config with an entitlement attribute: its IDM objects carry
 * their members' keys on the system (server/store/entitlement-lists.ts).
 */
export const carriesMembers = (config: Pick<EngineConfig, 'objectType' | 'entitlementAttribute'>) =>
  config.objectType !== 'User' && config.entitlementAttribute !== null;
