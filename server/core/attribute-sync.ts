import { textAsList } from './list-text.ts';
import type { Account, AttributePatch, Attributes, AttributeValue, IdmObject } from './model.ts';
import type { AttributeSources, AttributeSync, AttributeSyncRule, EngineSystem } from './recon-config.ts';

/** Before/after of each changed attribute, as the activity history shows it. */
export type AttributeDiff = Record<string, { before: AttributeValue; after: AttributeValue }>;

/** Attributes the config does not mention sync both ways at middle confidence. */
export const defaultConfidence = 50;
const defaultRule: AttributeSyncRule = { direction: 'both' };

export function syncRule(
  sync: AttributeSync,
  attribute: string,
): { direction: AttributeSyncRule['direction']; confidence: number } {
  const rule = sync[attribute] ?? defaultRule;
  return { direction: rule.direction, confidence: rule.confidence ?? defaultConfidence };
}

const flowsToIdm = (direction: string) => direction === 'toIdm' || direction === 'both';
const flowsToSystem = (direction: string) => direction === 'toSystem' || direction === 'both';

/**
 * Values compared as a system stores them: CSV holds text, so `42` equals `"42"`, and empty equals
 * absent. A directory's multi-valued attribute is a set: a list equals the same values in another
 * order, a one-value list equals that value, and an empty list equals absent (an LDAP `mail` read
 * as `["a@x"]` matches an IDM email of `"a@x"`). A system of one value per field holds a list as
 * `;`-separated text (list-text.ts), so a list equals the text listing the same values.
 */
export function sameValue(a: AttributeValue | undefined, b: AttributeValue | undefined): boolean {
  const text = (v: AttributeValue | undefined): string => {
    if (v === null || v === undefined) return '';
    if (Array.isArray(v)) {
      if (v.length <= 1) return v.length === 0 ? '' : String(v[0]);
      return JSON.stringify([...v].map(String).sort());
    }
    return String(v);
  };
  if (text(a) === text(b)) return true;
  if (Array.isArray(a) === Array.isArray(b)) return false;
  const [list, other] = Array.isArray(a) ? [a, b] : [b, a];
  return typeof other === 'string' && text(list) === text(textAsList(other));
}

export type IdmPatchResult = {
  patch: AttributePatch;
  sources: AttributeSources;
  diff: AttributeDiff;
  /** Attributes left alone because a more confident system set them. */
  heldBack: string[];
};

/**
 * What a system may change on an IDM object: only attributes that flow toward the IDM, only where
 * the value differs, and never over a value set by a system with higher confidence (equal
 * confidence may overwrite: the latest reading wins).
 */
export function idmPatchFrom(
  proposed: AttributePatch,
  current: { object: IdmObject; sources: AttributeSources } | null,
  systemId: string,
  sync: AttributeSync,
): IdmPatchResult {
  const result: IdmPatchResult = { patch: {}, sources: {}, diff: {}, heldBack: [] };
  for (const [attribute, value] of Object.entries(proposed)) {
    const rule = syncRule(sync, attribute);
    if (!flowsToIdm(rule.direction)) continue;
    const before = current?.object.attributes[attribute];
    if (current && sameValue(before, value)) continue;
    if (!current && (value === null || value === '')) continue;
    const source = current?.sources[attribute];
    if (source && source.systemId !== systemId && source.confidence > rule.confidence) {
      result.heldBack.push(attribute);
      continue;
    }
    result.patch[attribute] = value;
    result.sources[attribute] = { systemId, confidence: rule.confidence };
    result.diff[attribute] = { before: before ?? null, after: value };
  }
  return result;
}

/**
 * The account's attributes as an IDM patch, by name (the default population). The recon key is
 * carried over too (`employeeNumber` → `employeeId`), so an object created from an account
 * correlates by its recon key later, not only through its link.
 */
export function copyByName(
  account: Account,
  reconKeyIdmAttribute: string | null,
  sourceAttribute: string | null,
): AttributePatch {
  const patch: AttributePatch = { ...account.attributes };
  const key = sourceAttribute ? account.attributes[sourceAttribute] : undefined;
  if (
    reconKeyIdmAttribute &&
    patch[reconKeyIdmAttribute] === undefined &&
    key !== undefined &&
    key !== null
  ) {
    patch[reconKeyIdmAttribute] = key;
  }
  return patch;
}

/**
 * The account attributes the IDM object implies, through the system's outbound mapping (account
 * attribute → IDM attribute) or by name: for an existing account, the attributes it has; for a
 * new one, the unique field key and the system's attribute list (or every IDM attribute when the
 * system lists none): a list that leaves the key out (a DN) still creates accounts.
 */
export function outboundAttributes(
  idm: IdmObject,
  account: Account | null,
  system: EngineSystem,
): Attributes {
  const mapping = typeof system.outboundMapping === 'object' ? system.outboundMapping : null;
  const names = mapping
    ? Object.keys(mapping)
    : account
      ? Object.keys(account.attributes)
      : system.attributes.length > 0
        ? [...new Set([system.uniqueFieldKey, ...system.attributes])]
        : Object.keys(idm.attributes);
  const out: Attributes = {};
  for (const name of names) {
    const value = idm.attributes[mapping?.[name] ?? name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/**
 * What the IDM may change on an account: attributes that flow toward the system (the rule is
 * keyed by IDM attribute name), where they differ. The unique field key is never patched.
 */
export function accountPatchFrom(
  proposed: Attributes,
  account: Account | null,
  system: EngineSystem,
  sync: AttributeSync,
): { patch: AttributePatch; diff: AttributeDiff } {
  const mapping = typeof system.outboundMapping === 'object' ? system.outboundMapping : null;
  const patch: AttributePatch = {};
  const diff: AttributeDiff = {};
  for (const [name, value] of Object.entries(proposed)) {
    if (account && name === system.uniqueFieldKey) continue;
    if (!flowsToSystem(syncRule(sync, mapping?.[name] ?? name).direction)) continue;
    const before = account?.attributes[name];
    if (account && sameValue(before, value)) continue;
    patch[name] = value;
    diff[name] = { before: before ?? null, after: value };
  }
  return { patch, diff };
}
