import type { Dispute, ResolveOutcome } from '../../../services/disputes.ts';
import type { Services } from '../../../services/index.ts';
import type { Person } from './auth.ts';

/** Disputes (docs/api.md "Disputes"): a DISPUTED account waiting for a person, through the disputes service. */
export type DisputeView = Dispute;
export type { ResolveOutcome };

const pageSize = 500;

export function disputesAdapter(services: Services) {
  const { disputes } = services;
  /** Every dispute matching `filter`, page by page. */
  async function all(filter: { configId?: string | undefined; status?: Dispute['status'] | undefined }) {
    const items: Dispute[] = [];
    let afterId: string | undefined;
    for (;;) {
      const page = await disputes.list({ ...filter, ...(afterId ? { afterId } : {}), limit: pageSize });
      items.push(...page.items);
      if (!page.next) return items;
      afterId = page.next;
    }
  }
  return {
    available: true,
    list: all,
    get: (id: string): Promise<DisputeView | null> => disputes.get(id),
    resolve: (id: string, decision: { idmObjectId: string } | { dismiss: true }, person: Person) =>
      disputes.resolve({ id, decision, decidedBy: person.name }),
  };
}
