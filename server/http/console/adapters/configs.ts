import type { z } from 'zod';
import { createConfigBody, updateConfigBody } from '../../../services/configs/config-input.ts';
import type { ReconConfigView } from '../../../services/configs/config-view.ts';
import type { Services } from '../../../services/index.ts';
import type { Invalid, NotFound } from '../../../services/outcomes.ts';

/** Reconciliation configs for the console: the API's own schema checks what a form sends. */
export type ConfigView = ReconConfigView;
export type ConfigInput = z.input<typeof updateConfigBody>;
export type FieldIssue = { path: string; message: string };

export type SaveConfigOutcome =
  | { outcome: 'saved'; config: ConfigView }
  | { outcome: 'rejected'; issues: FieldIssue[] }
  | { outcome: 'system_not_found' }
  | Invalid
  | NotFound;

/** The config fields this server knows (a field another part adds later appears by itself). */
export const configFieldNames: ReadonlySet<string> = new Set(Object.keys(updateConfigBody.shape));

function issuesOf(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

export function configsAdapter(services: Services) {
  const { configs } = services;
  return {
    async get(id: string): Promise<ConfigView | null> {
      const found = await configs.get(id);
      return found.outcome === 'found' ? found.config : null;
    },

    list: (systemId?: string) => configs.list(systemId ? { systemId } : {}),

    async create(systemId: string, input: ConfigInput): Promise<SaveConfigOutcome> {
      const parsed = createConfigBody.safeParse(input);
      if (!parsed.success) return { outcome: 'rejected', issues: issuesOf(parsed.error) };
      const created = await configs.create(systemId, parsed.data);
      return created.outcome === 'created' ? { outcome: 'saved', config: created.config } : created;
    },

    async update(id: string, input: ConfigInput): Promise<SaveConfigOutcome> {
      const parsed = updateConfigBody.safeParse(input);
      if (!parsed.success) return { outcome: 'rejected', issues: issuesOf(parsed.error) };
      const updated = await configs.update(id, parsed.data);
      return updated.outcome === 'updated' ? { outcome: 'saved', config: updated.config } : updated;
    },
  };
}
