import type { Services } from '../../../services/index.ts';
import type {
  CreateSystemInput,
  CreateSystemOutcome,
  UpdateSystemInput,
  UpdateSystemOutcome,
} from '../../../services/systems/system-service.ts';
import type { SystemView } from '../../../services/systems/system-view.ts';

/** Managed systems for the console, through the systems service; secrets come back masked. */
export type { SystemView };
export type SystemInput = CreateSystemInput;
export type ConnectionTest = { ok: boolean; message: string; details?: Record<string, unknown> };
export type SaveSystemOutcome =
  | Exclude<CreateSystemOutcome, { outcome: 'created' }>
  | Exclude<UpdateSystemOutcome, { outcome: 'updated' }>
  | { outcome: 'saved'; system: SystemView };

export function systemsAdapter(services: Services) {
  const { systems } = services;
  return {
    list: () => systems.list(),

    async get(id: string): Promise<SystemView | null> {
      const found = await systems.get(id);
      return found.outcome === 'found' ? found.system : null;
    },

    async create(input: SystemInput): Promise<SaveSystemOutcome> {
      const created = await systems.create(input);
      return created.outcome === 'created' ? { outcome: 'saved', system: created.system } : created;
    },

    /** `connection` is merged over the stored one: a masked secret keeps the stored value. */
    async update(id: string, input: UpdateSystemInput): Promise<SaveSystemOutcome> {
      const updated = await systems.update(id, input);
      return updated.outcome === 'updated' ? { outcome: 'saved', system: updated.system } : updated;
    },

    test: (id: string) => systems.test(id),
    /** A CSV system's new file, as `POST /api/systems/:id/file` takes it. */
    storeFile: (id: string, file: File) => systems.storeFile(id, async () => file.stream()),
  };
}
