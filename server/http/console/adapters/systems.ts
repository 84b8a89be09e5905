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
export type LastTest = ConnectionTest & { at: string };
export type SaveSystemOutcome =
  | Exclude<CreateSystemOutcome, { outcome: 'created' }>
  | Exclude<UpdateSystemOutcome, { outcome: 'updated' }>
  | { outcome: 'saved'; system: SystemView };

/**
 * The last connection test of each system, as this process saw it. The systems service does not
 * record tests; until it does, the dashboard shows the tests made since the server started.
 */
const lastTests = new Map<string, LastTest>();

export function systemsAdapter(services: Services) {
  const { systems } = services;
  return {
    lastTest: (id: string): LastTest | null => lastTests.get(id) ?? null,
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

    async test(id: string) {
      const tested = await systems.test(id);
      if (tested.outcome === 'tested') lastTests.set(id, { ...tested.result, at: new Date().toISOString() });
      return tested;
    },
  };
}
