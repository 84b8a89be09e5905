import { asc, eq } from 'drizzle-orm';
import type { z } from 'zod';
import { reconConfigs } from '../../../db/schema/recon-configs.ts';
import type { Services } from '../../../main.ts';
import { createConfigBody, updateConfigBody } from '../../routes/recon-configs/config-schema.ts';
import {
  checkConfig,
  findConfig,
  loadConfigs,
  type ReconConfigResponse,
  saveConfig,
} from '../../routes/recon-configs/config-view.ts';
import { asInvalid, type Invalid, type NotFound } from './outcome.ts';

/** Reconciliation configs for the console: the API's own schema checks what a form sends. */
export type ConfigView = ReconConfigResponse;
export type ConfigInput = z.input<typeof updateConfigBody>;
export type FieldIssue = { path: string; message: string };

export type SaveConfigOutcome =
  | { outcome: 'saved'; config: ConfigView }
  | { outcome: 'rejected'; issues: FieldIssue[] }
  | Invalid
  | NotFound;

/** The config fields this server knows (a field another part adds later appears by itself). */
export const configFieldNames: ReadonlySet<string> = new Set(Object.keys(updateConfigBody.shape));

function issuesOf(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

export function configsAdapter(services: Services) {
  const { db } = services;
  const byId = async (id: string) => {
    const rows = await db.orm.select().from(reconConfigs).where(eq(reconConfigs.id, id)).limit(1);
    return (await loadConfigs(db, rows))[0] ?? null;
  };
  return {
    get: byId,

    async list(systemId?: string): Promise<ConfigView[]> {
      const rows = await db.orm
        .select()
        .from(reconConfigs)
        .where(systemId ? eq(reconConfigs.systemId, systemId) : undefined)
        .orderBy(asc(reconConfigs.createdAt), asc(reconConfigs.id));
      return loadConfigs(db, rows);
    },

    async create(systemId: string, input: ConfigInput): Promise<SaveConfigOutcome> {
      const parsed = createConfigBody.safeParse(input);
      if (!parsed.success) return { outcome: 'rejected', issues: issuesOf(parsed.error) };
      return asInvalid(async () => {
        checkConfig(parsed.data);
        const id = await saveConfig(db, { create: { systemId } }, parsed.data);
        return { outcome: 'saved', config: await findConfig(db, id) } as const;
      });
    },

    async update(id: string, input: ConfigInput): Promise<SaveConfigOutcome> {
      const parsed = updateConfigBody.safeParse(input);
      if (!parsed.success) return { outcome: 'rejected', issues: issuesOf(parsed.error) };
      const current = await byId(id);
      if (!current) return { outcome: 'not_found' };
      return asInvalid(async () => {
        checkConfig({ ...current, ...parsed.data });
        await saveConfig(db, { update: { id } }, parsed.data);
        return { outcome: 'saved', config: await findConfig(db, id) } as const;
      });
    },
  };
}
