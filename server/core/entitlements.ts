import type { AttributeDiff } from './attribute-sync.ts';
import { sameValue } from './attribute-sync.ts';
import type { Account, AttributeValue } from './model.ts';
import type { IdmWrite, PlannedAction } from './plan.ts';
import { carriesMembers, type EngineConfig, type IdmEntry } from './recon-config.ts';

/** The account's memberships: a list, or one text of `;`- or `|`-separated values. */
export function entitlementValues(value: AttributeValue | undefined): string[] {
  if (value === null || value === undefined || value === '') return [];
  const list = Array.isArray(value) ? value : String(value).split(/[;|]/);
  return [...new Set(list.map((v) => v.trim()).filter((v) => v !== ''))].sort();
}

/** The IDM write without the attribute; an update left with nothing to change is dropped. */
function withoutAttribute(write: IdmWrite | undefined, attribute: string): IdmWrite | undefined {
  if (write?.op === 'create') {
    const { [attribute]: _value, ...attributes } = write.attributes;
    const { [attribute]: _source, ...sources } = write.sources;
    return { ...write, attributes, sources };
  }
  if (write?.op === 'update') {
    const { [attribute]: _value, ...patch } = write.patch;
    const { [attribute]: _source, ...sources } = write.sources;
    return Object.keys(patch).length > 0 ? { ...write, patch, sources } : undefined;
  }
  return write;
}

/**
 * Adds to a pair's planned action the memberships its account lists (IDHub's rule: they replace
 * what the IDM holds from this system), for ADD_TO_IDM and UPDATE_IDM_FROM_RESOURCE.
 *
 * A Group, Role or Organization config holds its member list as memberships (and, for values that
 * name no object the IDM knows, as entitlements), never as an attribute of the IDM object: the
 * attribute as copied by the population is left out of the IDM write, so a list that only reads
 * differently (another order, a `;`-separated text) makes no new version. Its IDM side carries
 * the list the IDM holds (server/store/entitlement-lists.ts): an equal list writes nothing, and a
 * different one is a diff of the sorted member keys — the members added are in `after` only,
 * those removed in `before` only. A User config's IDM side carries the user's groups beside its
 * attributes (`IdmEntry.entitlements`): an equal list writes nothing either.
 */
export function addEntitlements(
  draft: { action: PlannedAction; diff: AttributeDiff },
  config: EngineConfig,
  account: Account,
  idmObjectId: string,
  idm: IdmEntry | null,
) {
  const attribute = config.entitlementAttribute;
  if (!attribute) return;
  const values = entitlementValues(account.attributes[attribute]);
  const write = { accountKey: account.key, idmObjectId, values };
  if (!carriesMembers(config)) {
    // A user's groups: compared with what the IDM holds from this system, never an attribute.
    const held = idm?.entitlements ?? null;
    if (held && sameValue(held, values)) return;
    draft.action.entitlements = write;
    if (held) draft.diff[attribute] = { before: held, after: values };
    return;
  }
  const idmWrite = withoutAttribute(draft.action.idm, attribute);
  if (idmWrite) draft.action.idm = idmWrite;
  else delete draft.action.idm;
  delete draft.diff[attribute];
  const held = idm ? entitlementValues(idm.object.attributes[attribute]) : null;
  if (held && sameValue(held, values)) return;
  draft.action.entitlements = write;
  draft.diff[attribute] = { before: held, after: values };
}
