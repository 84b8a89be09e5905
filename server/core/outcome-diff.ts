import type { AttributeDiff } from './attribute-sync.ts';
import type { Correlation } from './correlate.ts';
import type { PlannedEvent } from './plan.ts';
import { canonicalJson } from './plan-hash.ts';

/** What a run decided about one object: the part of its event an outcome diff compares. */
export type DecidedOutcome = {
  objectKey: string | null;
  idmObjectId: string | null;
  /** The IDM object's version the decision saw (null: no IDM object). */
  idmVersion: number | null;
  situation: string | null;
  response: string | null;
  /** The attribute changes decided (null: none). */
  diff: AttributeDiff | null;
  /** The error code of a failed decision (a policy that threw), else null. */
  error: string | null;
};

/** The outcome of one decided pair, with the IDM version the pair saw. */
export function outcomeOf(pair: Correlation, event: PlannedEvent): DecidedOutcome {
  const diff = event.diff && Object.keys(event.diff).length > 0 ? event.diff : null;
  return {
    objectKey: event.objectKey,
    idmObjectId: event.idmObjectId,
    idmVersion: event.idmVersion ?? pair.idm?.version ?? null,
    situation: event.situation,
    response: event.response,
    diff,
    error: event.error?.code ?? null,
  };
}

/** An account by its unique field key; an IDM object without an account by its id. */
export const outcomeKey = (o: Pick<DecidedOutcome, 'objectKey' | 'idmObjectId'>) =>
  o.objectKey ?? `idm:${o.idmObjectId ?? ''}`;

export const outcomeChanges = ['situation', 'response', 'attributes', 'error', 'new', 'gone'] as const;
export type OutcomeChange = (typeof outcomeChanges)[number];

export type OutcomeSide = Pick<DecidedOutcome, 'situation' | 'response' | 'diff' | 'error'>;

export type ChangedObject = {
  objectKey: string;
  idmObjectId: string | null;
  changes: OutcomeChange[];
  /** null: the object is new (not decided before). */
  before: OutcomeSide | null;
  /** null: the object is gone (not decided after). */
  after: OutcomeSide | null;
  /** Its IDM object was written between the two decisions: part of the change may be that. */
  idmChangedSince: boolean;
};

export type OutcomeDiffCounts = {
  /** Objects decided before and after. */
  before: number;
  after: number;
  /** Objects with any change, and per kind of change. */
  changed: number;
  situation: number;
  response: number;
  attributes: number;
  errors: number;
  new: number;
  gone: number;
  idmChangedSince: number;
};

export type OutcomeDiff = { counts: OutcomeDiffCounts; changed: ChangedObject[]; truncated: boolean };

const side = (o: DecidedOutcome): OutcomeSide => ({
  situation: o.situation,
  response: o.response,
  diff: o.diff,
  error: o.error,
});

/**
 * Compares what was decided before (a recorded run) with what is decided after (a replay, or a
 * later run), object by object. `attributes: false` leaves attribute changes out (two runs read
 * different data; a replay reads the same). At most `limit` changed objects are listed; the counts
 * cover all.
 */
export function createOutcomeComparison(options: { attributes: boolean; limit: number }) {
  const before = new Map<string, DecidedOutcome>();
  const counts: OutcomeDiffCounts = {
    before: 0,
    after: 0,
    changed: 0,
    situation: 0,
    response: 0,
    attributes: 0,
    errors: 0,
    new: 0,
    gone: 0,
    idmChangedSince: 0,
  };
  const changed: ChangedObject[] = [];
  const note = (entry: ChangedObject) => {
    counts.changed++;
    for (const change of entry.changes) {
      if (change === 'error') counts.errors++;
      else counts[change]++;
    }
    if (entry.idmChangedSince) counts.idmChangedSince++;
    if (changed.length < options.limit) changed.push(entry);
  };
  let afterStarted = false;
  return {
    /** Adds what was decided before; all of it comes before the first `after`. */
    before(outcome: DecidedOutcome) {
      if (afterStarted) throw new Error('every outcome before must be added before the first after');
      counts.before++;
      before.set(outcomeKey(outcome), outcome);
    },
    after(outcome: DecidedOutcome) {
      afterStarted = true;
      counts.after++;
      const key = outcomeKey(outcome);
      const was = before.get(key);
      before.delete(key);
      if (!was) {
        note({
          objectKey: key,
          idmObjectId: outcome.idmObjectId,
          changes: ['new'],
          before: null,
          after: side(outcome),
          idmChangedSince: false,
        });
        return;
      }
      const changes: OutcomeChange[] = [];
      if (was.situation !== outcome.situation) changes.push('situation');
      if (was.response !== outcome.response) changes.push('response');
      if (options.attributes && canonicalJson(was.diff) !== canonicalJson(outcome.diff))
        changes.push('attributes');
      if (was.error !== outcome.error) changes.push('error');
      if (changes.length === 0) return;
      note({
        objectKey: key,
        idmObjectId: outcome.idmObjectId ?? was.idmObjectId,
        changes,
        before: side(was),
        after: side(outcome),
        idmChangedSince:
          was.idmObjectId !== null &&
          was.idmObjectId === outcome.idmObjectId &&
          was.idmVersion !== outcome.idmVersion,
      });
    },
    /** The diff; what was decided before and not after is gone. */
    finish(): OutcomeDiff {
      for (const [key, was] of before) {
        note({
          objectKey: key,
          idmObjectId: was.idmObjectId,
          changes: ['gone'],
          before: side(was),
          after: null,
          idmChangedSince: false,
        });
      }
      before.clear();
      return { counts, changed, truncated: counts.changed > changed.length };
    },
  };
}
