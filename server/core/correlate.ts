import type { Account } from './model.ts';
import type { IdmEntry, LinkEntry, LinkRow } from './recon-config.ts';

/** How an account found its IDM object. */
export type CorrelationVia = 'link' | 'reconKey' | 'matchingRule';

/**
 * One correlated pair. `candidates` holds every IDM object the keys pointed at; more than one
 * with no clear winner leaves `idm` null (DISPUTED).
 */
export type Correlation = {
  account: Account | null;
  idm: IdmEntry | null;
  candidates: IdmEntry[];
  link: LinkEntry | null;
  via: CorrelationVia | null;
  /**
   * The matching rule's score of each candidate it scored, by IDM object id (null: no valid score).
   * A winner by score is the pair's only candidate; the others' scores stay here.
   */
  scores?: Record<string, number | null> | null;
  /** The account's keys its candidates were looked up by (normalised), when it had any. */
  keys?: string[];
};

/**
 * Of several candidates, the one with the strictly highest score wins; a tie at the top means no
 * clear winner, and the pair stays DISPUTED for a person to decide.
 */
export function pickByScore(candidates: IdmEntry[], scores: number[]): IdmEntry | null {
  let best = -1;
  let bestScore = Number.NEGATIVE_INFINITY;
  let tied = false;
  candidates.forEach((_, i) => {
    const score = scores[i] ?? Number.NEGATIVE_INFINITY;
    if (score > bestScore) {
      best = i;
      bestScore = score;
      tied = false;
    } else if (score === bestScore) {
      tied = true;
    }
  });
  return best >= 0 && !tied && bestScore > 0 ? (candidates[best] ?? null) : null;
}

/**
 * Two accounts matched by key to the same IDM object cannot both be it: every such claim
 * (`shared`, the objects claimed more than once in the run) is turned into a dispute (the object
 * stays among the candidates). Links are not claims: they were settled earlier.
 */
export function disputeSharedClaims(pair: Correlation, shared: Set<string>): Correlation {
  if (!pair.idm || pair.via === 'link' || !shared.has(pair.idm.object.id)) return pair;
  return { ...pair, candidates: [pair.idm], idm: null, via: null };
}

/**
 * An IDM object in scope that no account pointed at (full and keys runs; in an incremental run
 * absence proves nothing), with its active link if it has one: the account is gone.
 */
export function missingAccountPair(entry: IdmEntry, activeLink: LinkRow | null): Correlation {
  const link = activeLink ? { ...activeLink, idm: entry } : null;
  return { account: null, idm: entry, candidates: [entry], link, via: link ? 'link' : null };
}
