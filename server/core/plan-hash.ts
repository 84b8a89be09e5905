import { createHash } from 'node:crypto';

/** One planned action as the plan hash sees it: what will be written, to which object, in which order. */
export type HashedAction = {
  seq: number;
  objectKey: string | null;
  idmObjectId: string | null;
  situation: string | null;
  response: string | null;
  action: unknown;
};

/** JSON with object keys sorted, so the same action hashes the same whatever its storage reordered. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * docs/api.md "Review and apply": SHA-256 over the ordered planned actions. Fed page by page (in
 * `seq` order) so a plan of any size is hashed without holding it; one line per action.
 */
export function createPlanHasher() {
  const hash = createHash('sha256');
  return {
    add(actions: HashedAction[]) {
      for (const a of actions) {
        hash.update(
          `${canonicalJson([a.seq, a.objectKey, a.idmObjectId, a.situation, a.response, a.action])}\n`,
        );
      }
    },
    digest: () => hash.digest('hex'),
  };
}
