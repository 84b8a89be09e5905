import { asc, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { IdmFilter } from '../../../core/model.ts';
import { objectTypes, responses, type Situation, situations } from '../../../core/model.ts';
import type { Database } from '../../../db/client.ts';
import { type ReconConfigRow, reconConfigs } from '../../../db/schema/recon-configs.ts';
import { reconSituations } from '../../../db/schema/recon-situations.ts';
import { IdmFilterError, idmFilterToSql } from '../../../runs/idm-filter-sql.ts';
import { ApiError } from '../../errors.ts';
import type { ConfigInput } from './config-schema.ts';

const situationView = z.object({
  response: z.enum(responses),
  populationPolicy: z.string().nullable(),
  commandPolicy: z.string().nullable(),
});

/** A reconciliation config as the API shows it: every situation present. */
export const configSchema = z.object({
  id: z.string(),
  systemId: z.string(),
  name: z.string().nullable(),
  objectType: z.enum(objectTypes),
  status: z.enum(['active', 'inactive']),
  frequency: z.string().nullable(),
  timezone: z.string(),
  notificationEmail: z.string().nullable(),
  sendDoNothingReport: z.boolean(),
  reportFormat: z.enum(['html', 'csv']),
  targetQueryPolicy: z.string().nullable(),
  targetSearchFilter: z.string().nullable(),
  idmQueryPolicy: z.string().nullable(),
  idmSearchFilter: z.unknown(),
  updatedSince: z.string().nullable(),
  sourceAttributeName: z.string().nullable(),
  idmField: z.string().nullable(),
  idmCustomAttribute: z.string().nullable(),
  matchingPolicy: z.string().nullable(),
  preProcessorPolicy: z.string().nullable(),
  postProcessorPolicy: z.string().nullable(),
  customProcessorPolicy: z.string().nullable(),
  policyMap: z.array(z.string()),
  attributeSync: z.record(z.string(), z.object({ direction: z.string(), confidence: z.number().optional() })),
  deletionThreshold: z.object({ count: z.number().optional(), percent: z.number().optional() }),
  staleDays: z.number(),
  sourceGuard: z
    .object({ minAccounts: z.number().optional(), maxDropPercent: z.number().optional() })
    .nullable(),
  situations: z.record(z.enum(situations), situationView),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ReconConfigResponse = z.infer<typeof configSchema>;

type SituationRow = typeof reconSituations.$inferSelect;

function toResponse(row: ReconConfigRow, rules: SituationRow[]): ReconConfigResponse {
  const byName = new Map(rules.map((r) => [r.situation, r]));
  const table = Object.fromEntries(
    situations.map((s) => {
      const rule = byName.get(s);
      return [
        s,
        {
          response: rule?.response ?? 'DO_NOTHING',
          populationPolicy: rule?.populationPolicy ?? null,
          commandPolicy: rule?.commandPolicy ?? null,
        },
      ];
    }),
  ) as ReconConfigResponse['situations'];
  const { createdAt, updatedAt, updatedSince, ...rest } = row;
  return {
    ...rest,
    updatedSince: updatedSince?.toISOString() ?? null,
    situations: table,
    createdAt: createdAt.toISOString(),
    updatedAt: updatedAt.toISOString(),
  };
}

export async function loadConfigs(db: Database, rows: ReconConfigRow[]): Promise<ReconConfigResponse[]> {
  if (rows.length === 0) return [];
  const rules = await db.orm
    .select()
    .from(reconSituations)
    .where(
      inArray(
        reconSituations.configId,
        rows.map((r) => r.id),
      ),
    )
    .orderBy(asc(reconSituations.situation));
  return rows.map((row) =>
    toResponse(
      row,
      rules.filter((r) => r.configId === row.id),
    ),
  );
}

export async function findConfig(db: Database, id: string): Promise<ReconConfigResponse> {
  const rows = await db.orm.select().from(reconConfigs).where(eq(reconConfigs.id, id)).limit(1);
  const [config] = await loadConfigs(db, rows);
  if (!config) throw new ApiError('NOT_FOUND', `no reconciliation config with id "${id}"`);
  return config;
}

/** Rules that span fields, checked on the config as it will be stored. */
export function checkConfig(merged: {
  idmField?: string | null;
  idmCustomAttribute?: string | null;
  idmSearchFilter?: unknown;
}) {
  if (merged.idmSearchFilter) {
    try {
      // The engine turns this filter into SQL at run time; a filter it cannot read is refused now.
      idmFilterToSql(merged.idmSearchFilter as IdmFilter, 'idmSearchFilter');
    } catch (error) {
      if (!(error instanceof IdmFilterError)) throw error;
      const message = error.message.replace(/^IDM filter at /, '');
      throw new ApiError('VALIDATION_FAILED', message, [{ path: 'idmSearchFilter', message }]);
    }
  }
  if (merged.idmField && merged.idmCustomAttribute) {
    throw new ApiError(
      'VALIDATION_FAILED',
      'idmCustomAttribute: give idmField or idmCustomAttribute, not both',
      [{ path: 'idmCustomAttribute', message: 'give idmField or idmCustomAttribute, not both' }],
    );
  }
}

/**
 * Writes a config and its situation rows in one transaction. On create every situation gets a
 * row (DO_NOTHING unless given); on update only the given situations change.
 */
export async function saveConfig(
  db: Database,
  target: { create: { systemId: string } } | { update: { id: string } },
  input: ConfigInput,
): Promise<string> {
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
      if (updated.length === 0) throw new ApiError('NOT_FOUND', `no reconciliation config with id "${id}"`);
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
