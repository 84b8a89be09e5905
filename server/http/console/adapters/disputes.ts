import type { Services } from '../../../main.ts';
import type { Person } from './auth.ts';
import type { NotFound } from './outcome.ts';

/** Disputes (API.md "Disputes"): a DISPUTED account waiting for a person. */
export type DisputeCandidate = {
  idmObjectId: string;
  score: number | null;
  attributes: Record<string, unknown>;
};
export type DisputeView = {
  id: string;
  configId: string;
  runId: string;
  objectKey: string;
  account: Record<string, unknown>;
  candidates: DisputeCandidate[];
  status: 'open' | 'resolved' | 'dismissed';
  decidedBy?: string | null;
  decidedAt?: string | null;
};

export type ResolveOutcome =
  | { outcome: 'resolved' | 'dismissed' }
  | { outcome: 'not_a_candidate' | 'already_decided'; message: string }
  | NotFound
  | { outcome: 'unavailable'; message: string };

export function disputesAdapter(_services: Services) {
  return {
    available: false,
    async list(_filter: { configId?: string; status?: DisputeView['status'] }): Promise<DisputeView[]> {
      return [];
    },
    async get(_id: string): Promise<DisputeView | null> {
      return null;
    },
    async resolve(
      _id: string,
      _decision: { idmObjectId: string } | { dismiss: true },
      _person: Person,
    ): Promise<ResolveOutcome> {
      return { outcome: 'unavailable', message: 'disputes are not available on this server yet' };
    },
  };
}
