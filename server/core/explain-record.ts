import type { Correlation, CorrelationVia } from './correlate.ts';
import type { AttributeValue } from './model.ts';
import { keysOfValue } from './normalize-key.ts';
import type { EngineConfig } from './recon-config.ts';

/**
 * How an event's account found its IDM object, kept on the event for its explain: the way
 * (link, recon key, matching rule), the recon key's value as read, and every candidate the keys
 * pointed at (their scores are in the event's policy output). Only what the event does not say
 * otherwise: a pair with one candidate names it as the event's IDM object.
 */
export type CorrelationRecord = {
  via: CorrelationVia | null;
  /** The account's value of the recon key (`sourceAttributeName`), when the config has one. */
  keyValue?: AttributeValue;
  /** Every IDM object the keys pointed at, when more than one. */
  candidates?: string[];
  /** The matching rule's keys of the account (`accountKeys`, normalised), when the rule looked it up. */
  ruleKeys?: string[];
};

export function correlationRecordOf(pair: Correlation, config: EngineConfig): CorrelationRecord | null {
  if (!pair.account) return pair.via ? { via: pair.via } : null;
  const record: CorrelationRecord = { via: pair.via };
  const attribute = config.sourceAttributeName;
  if (attribute) record.keyValue = pair.account.attributes[attribute] ?? null;
  const ids = [...new Set([...pair.candidates.map((c) => c.object.id), ...Object.keys(pair.scores ?? {})])];
  if (ids.length > 1) record.candidates = ids;
  // The matching rule runs for the accounts the link and the recon key left without a candidate:
  // keys other than the recon key's are its.
  const reconKeys = attribute ? keysOfValue(pair.account.attributes[attribute]) : [];
  const keys = pair.keys ?? [];
  const fromRecon = keys.length === reconKeys.length && keys.every((k) => reconKeys.includes(k));
  const byRule = pair.via === 'matchingRule' || (pair.via === null && !fromRecon);
  if (config.matchingPolicy && byRule && keys.length > 0) record.ruleKeys = keys;
  return record;
}
