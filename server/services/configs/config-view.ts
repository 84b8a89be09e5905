import { asc, inArray } from 'drizzle-orm';
import type { Response, Situation } from '../../core/model.ts';
import { situations } from '../../core/model.ts';
import type { Database } from '../../db/client.ts';
import type { ReconConfigRow } from '../../db/schema/recon-configs.ts';
import { reconSituations } from '../../db/schema/recon-situations.ts';

export type SituationRuleView = {
  response: Response;
  populationPolicy: string | null;
  commandPolicy: string | null;
};

/** A reconciliation config as every surface shows it: every situation present. */
export type ReconConfigView = Omit<ReconConfigRow, 'createdAt' | 'updatedAt' | 'updatedSince'> & {
  updatedSince: string | null;
  situations: Record<Situation, SituationRuleView>;
  createdAt: string;
  updatedAt: string;
};

type SituationRow = typeof reconSituations.$inferSelect;

function toView(row: ReconConfigRow, rules: SituationRow[]): ReconConfigView {
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
  ) as ReconConfigView['situations'];
  const { createdAt, updatedAt, updatedSince, ...rest } = row;
  return {
    ...rest,
    updatedSince: updatedSince?.toISOString() ?? null,
    situations: table,
    createdAt: createdAt.toISOString(),
    updatedAt: updatedAt.toISOString(),
  };
}

/** The views of `rows`, with their situation tables read in one query. */
export async function loadConfigViews(db: Database, rows: ReconConfigRow[]): Promise<ReconConfigView[]> {
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
    toView(
      row,
      rules.filter((r) => r.configId === row.id),
    ),
  );
}
